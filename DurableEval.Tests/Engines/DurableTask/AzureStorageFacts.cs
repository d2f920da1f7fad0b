using System.Globalization;
using System.Reflection;
using DurableEval.Evaluation;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Servers;
using DurableTask.AzureStorage;
using Xunit.Abstractions;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// Durable Task's crash and restart facts on the Azure Storage provider against Azurite (<see cref="AzuriteFixture"/>),
/// one file per criterion. The Temporal server fixture is inherited from the criteria collection and never used.
/// </summary>
public sealed partial class AzureStorageFacts(ServerFixture servers, AzuriteFixture azurite, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    /// <summary>The provider's own version, read from its assembly rather than written down.</summary>
    private static readonly string ProviderVersion =
        typeof(AzureStorageOrchestrationService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(AzureStorageOrchestrationService).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>
    /// Runs <paramref name="body"/> on Azure Storage (Azurite, or the account the user configured), or records the checks
    /// "not run" with why and the fix (a configuration error when the user's own setting is unusable).
    /// </summary>
    private async Task OnStorageAsync(FactRecorder fact, IReadOnlyList<CheckSpec> specs, Func<StorageEndpoint, CheckScope, Task> body)
    {
        var acquired = await azurite.AcquireAsync(Output.WriteLine);
        if (acquired.Storage is not { } storage)
        {
            fact.Unavailable(specs, acquired.Reason ?? "no storage", acquired.IsMisconfigured);
            return;
        }

        // The install and the start belong to the run, not to a fact: the first fact to ask reports them.
        if (azurite.ClaimFirstUse())
        {
            if (storage.InstallSeconds is { } install)
            {
                fact.Metric("azurite_install_s", install, "s");
            }

            if (storage.StartSeconds is { } start)
            {
                fact.Metric("azurite_start_s", start, "s");
            }
        }

        var host = new ServerInfo($"Durable Task Azure Storage provider on {storage.Kind}", $"DurableTask.AzureStorage {ProviderVersion}", "a fresh task hub per block, one storage emulator per run");
        await fact.HostedAsync(host, specs, checks => body(storage, checks));
    }

    private static void Measured(FactRecorder fact, AzureStorageKillRun run, string prefix = "")
    {
        var m = run.Verdicts.Metrics;
        fact.Metric(prefix + "kills_landed", m.KillsLanded, "count");
        fact.Metric(prefix + "in_flight_steps_hit", m.InFlightStepsHit, "count");
        fact.Metric(prefix + "duplicate_executions", m.DuplicateExecutions, "count");
        fact.Metric(prefix + "duplicate_effects_dropped", m.DuplicateEffectsDropped, "count");
        fact.Metric(prefix + "completed_but_unrecorded_rerun", m.CompletedButUnrecordedRerun, "count");
        if (m.RecoveryMilliseconds.Count > 0 && m.RecoveryMilliseconds.All(r => r is not null))
        {
            fact.Metric(prefix + "recovery_ms_max", m.RecoveryMilliseconds.Max(r => r!.Value), "ms");
        }

        fact.Metric(prefix + "slowest_step_ms", m.SlowestStepMilliseconds, "ms");
        fact.Metric(prefix + "protocol_run_s", run.Elapsed.TotalSeconds, "s");
    }

    private static string Describe(KillProtocolOptions options, AzureStorageKillRun run) =>
        $"worker in a separate process (DurableEval.Worker --host durabletask, a TaskHubWorker) killed with SIGKILL of its process tree, a fresh process after each kill, "
        + $"connecting to {run.WorkerConnection}; {options.Workflows} orchestrations x {options.Steps} steps of {options.WorkMilliseconds} ms, kill schedule seed {run.Observation.Seed} "
        + $"(kills planned after {string.Join("/", run.Observation.Schedule.Select(k => k.AfterCompletedSteps))} of {options.TotalSteps} completed steps), "
        + $"{run.Verdicts.Metrics.KillsLanded} of {run.Verdicts.Metrics.KillsTaken} kills landed on in-flight work, {run.WorkerProcesses} worker processes, "
        + $"{run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; queue message visibility timeout and partition lease "
        + $"{Workflows.DurableTask.AzureStorage.AzureStorageHub.VisibilityTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s (defaults 5 min and 30 s), one partition.";
}
