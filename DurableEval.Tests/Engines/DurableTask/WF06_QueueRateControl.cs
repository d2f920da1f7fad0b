using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("WF-06", Engine = "durabletask")]
    public async Task WF06_QueueRateControl()
    {
        const int Cap = ConcurrencyChecks.Cap;
        const int Branches = ConcurrencyChecks.Branches;
        var request = ConcurrencyChecks.Request;
        var workerSurface = SdkSurface.Members(typeof(DurableTaskWorkerOptions), typeof(DurableTaskWorkerOptions.ConcurrencyOptions));
        var callSurface = SdkSurface.Members(typeof(TaskOptions));
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                ConcurrencyChecks.Capped,
                Core("rate-capped", "An activities-per-second limit on the worker spreads activity starts over time"),
                Core("routed-to-worker", "An activity routed to a second queue runs on the worker polling that queue"),
                Production("priority-ordering", "A backlog of activities with priorities is dispatched high priority first"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<FanOutOrchestrator>();
                tasks.AddActivity<SquareBranchActivity>();
            },
            async (block, checks) =>
            {
                await ConcurrencyChecks.CappedAsync(block, checks, fact);

                SdkSurface.ExpectAbsent(checks, "rate-capped", workerSurface, ["PerSecond", "RateLimit", "Throttl"], "the worker limits how many run at once, not how many start per second");
                SdkSurface.ExpectAbsent(checks, "routed-to-worker", callSurface, ["Queue", "Route"], "an activity is named, never routed: every worker on the task hub may run it");
                SdkSurface.ExpectAbsent(checks, "priority-ordering", callSurface, ["Priority"], "work items carry no priority");
            },
            ConcurrencyChecks.CapActivities);

        await InProcessHost.RunAsync(
            fact,
            [Edge("uncapped-control", $"Without the setting the same {Branches} activities overlap (peak above {Cap}): the cap above is the setting's doing")],
            tasks =>
            {
                tasks.AddOrchestrator<FanOutOrchestrator>();
                tasks.AddActivity<SquareBranchActivity>();
            },
            async (block, checks) =>
            {
                var id = await block.StartAsync("WF-06", nameof(FanOutOrchestrator), request);
                var done = await block.CompletionAsync(id);
                var peak = block.Log.MaxInFlight;
                checks.Expect(
                    "uncapped-control",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && peak > Cap,
                    $"{done.RuntimeStatus}; peak {peak} in flight of {Branches} with the worker's default limit ({new DurableTaskWorkerOptions().Concurrency.MaximumConcurrentActivityWorkItems}); {Environment.ProcessorCount} processors");
                fact.Metric("uncapped_peak_in_flight", peak, "activities");
            });
        fact.Finding("Durable Task routes nothing per activity: one task hub's work goes to every worker connected to it; the controls are per-worker concurrency limits (activities, orchestrations, entities).");
        fact.Cite(
            "Concurrency throttles: the maximum number of activity and orchestrator functions processed concurrently on a single worker instance (maxConcurrentActivityFunctions / maxConcurrentOrchestratorFunctions).",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-perf-and-scale#concurrency-throttles");
        fact.Conclude();
    }
}

/// <summary>WF-06's concurrency check, shared by the fact and the self-test that runs it on a host whose cap was left off.</summary>
internal static class ConcurrencyChecks
{
    /// <summary>
    /// Cap 1: without the setting this host was seen running only 2 activities at once (on 2 cores), so a cap of 2
    /// would not be exercised; the fact's uncapped control shows the overlap the cap removes.
    /// </summary>
    public const int Cap = 1;
    public const int Branches = 4;
    public const int WorkMs = 200;

    public static readonly FanOutRequest Request = new(Branches, 0, WorkMs);

    public static int MinimumWallMs => (Branches + Cap - 1) / Cap * WorkMs;

    public static readonly CheckSpec Capped = CheckSpec.Core(
        "concurrency-capped",
        $"MaximumConcurrentActivityWorkItems = {Cap} caps {Branches} fanned-out {WorkMs} ms activities at {Cap} in flight (peak measured; the control shows more without it), so the fan-out takes at least {MinimumWallMs} ms (real time)");

    /// <summary>The worker setting under test, applied after the host's own configuration.</summary>
    public static void CapActivities(IServiceCollection services) =>
        services.PostConfigureAll<DurableTaskWorkerOptions>(o => o.Concurrency.MaximumConcurrentActivityWorkItems = Cap);

    public static async Task CappedAsync(InProcessBlock block, CheckScope checks, FactRecorder? fact = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var id = await block.StartAsync("WF-06", nameof(FanOutOrchestrator), Request);
        var done = await block.CompletionAsync(id);
        var wall = clock.ElapsedMilliseconds;
        var results = done.ReadOutputAs<FanOutResult>()?.Branches ?? [];
        var peak = block.Log.MaxInFlight;

        // Read back from the host's services: shows the setting reached the worker's options, whatever the host then does with it.
        var readBack = block.Host.Services.GetService<IOptionsMonitor<DurableTaskWorkerOptions>>()?.Get(Options.DefaultName).Concurrency.MaximumConcurrentActivityWorkItems;
        fact?.Metric("capped_peak_in_flight", peak, "activities");
        fact?.Metric("capped_fan_out_wall_ms", wall, "ms");
        checks.Expect(
            Capped.Id,
            done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && results.Count == Branches && peak == Cap && wall >= MinimumWallMs,
            $"{results.Count} of {Branches} branches completed; peak {peak} in flight with the cap at {Cap} (the worker's options read back {readBack?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}); {wall} ms of wall time, at least {MinimumWallMs} ms expected (real time)"
                + (peak > Cap && readBack == Cap ? ": the setting reached the worker's options but this host does not enforce it" : string.Empty));
    }
}
