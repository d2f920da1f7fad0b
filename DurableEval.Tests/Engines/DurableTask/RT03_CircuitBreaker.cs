using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("RT-03", Engine = "durabletask")]
    public async Task RT03_CircuitBreaker()
    {
        const int Threshold = BreakerChecks.Threshold;
        const int CoolDownMs = BreakerChecks.CoolDownMs;
        var resetting = new BreakerPlan(Threshold, CoolDownMs, [true, true, false, true, true], [0, 0, 0, 0, 0], false);
        var unhandled = new BreakerPlan(Threshold, CoolDownMs, [true, true, true, true, true], [0, 0, 0, 0, 0], true);
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                BreakerChecks.OpensAfterThreshold,
                BreakerChecks.OpenFailsFast,
                Core("half-open-probe-closes", $"After the {CoolDownMs} ms cool-down exactly one probe goes through; its success closes the breaker and the next request reaches the dependency again (real time)"),
                Core("run-fails-fast", $"A run that does not handle the rejection fails at once with CircuitOpenException, after exactly {Threshold} calls"),
                Edge("failed-probe-reopens", "A failed half-open probe re-opens the breaker for another cool-down; the next probe closes it"),
                Edge("success-resets-count", "Failures interrupted by a success do not open the breaker: only consecutive failures count"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<CircuitBreakerOrchestrator>();
                tasks.AddActivity<ScriptedDependencyActivity>();
            },
            async (block, checks) =>
            {
                var trip = await BreakerChecks.TripAsync(block, checks, nameof(CircuitBreakerOrchestrator));
                checks.Expect(
                    "failed-probe-reopens",
                    trip.Count == 9 && trip[5] == "probe-failed" && trip[6] == "rejected" && trip[7] == "probe-ok",
                    $"after the first cool-down: {string.Join(", ", trip.Skip(5).Take(3))} (expected probe-failed, rejected, probe-ok)");
                checks.Expect(
                    "half-open-probe-closes",
                    trip.Count == 9 && trip[7] == "probe-ok" && trip[8] == "ok" && trip.Count(o => o.StartsWith("probe", StringComparison.Ordinal)) == 2,
                    $"after each {CoolDownMs} ms cool-down one probe ({trip.Count(o => o.StartsWith("probe", StringComparison.Ordinal))} in all); the last two requests: {string.Join(", ", trip.Skip(7))} (real time)");

                var resetId = await block.StartAsync("RT-03", nameof(CircuitBreakerOrchestrator), resetting);
                var reset = (await block.CompletionAsync(resetId)).ReadOutputAs<List<string>>() ?? [];
                var resetCalls = block.Log.Count(resetId, nameof(ScriptedDependencyActivity));
                checks.Expect(
                    "success-resets-count",
                    reset.SequenceEqual(["failed", "failed", "ok", "failed", "failed"]) && resetCalls == 5,
                    $"calls failing F F S F F gave [{string.Join(", ", reset)}], {resetCalls} call(s) reached the dependency");

                var failId = await block.StartAsync("RT-03", nameof(CircuitBreakerOrchestrator), unhandled);
                var failed = await block.CompletionAsync(failId);
                var failCalls = block.Log.Count(failId, nameof(ScriptedDependencyActivity));
                checks.Expect(
                    "run-fails-fast",
                    failed.RuntimeStatus == OrchestrationRuntimeStatus.Failed && failed.FailureDetails?.ErrorType == typeof(CircuitOpenException).FullName && failCalls == Threshold,
                    $"{failed.RuntimeStatus} with [{failed.FailureDetails?.ErrorType}] {failed.FailureDetails?.ErrorMessage}; {failCalls} call(s) reached the dependency");
            });
        fact.Finding("Durable Task has no circuit breaker: the breaker here is user code in the orchestration (consecutive-failure count and open-until time in orchestration state, a durable timer for the cool-down); a breaker shared by many orchestrations would be a durable entity.");
        fact.Cite(
            "Durable entities hold small pieces of state shared across orchestrations (the place for a shared breaker); orchestration state is per instance.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-entities");
        fact.Conclude();
    }
}

/// <summary>RT-03's tripping checks, shared by the fact and the self-test that runs them against an orchestration without the breaker.</summary>
internal static class BreakerChecks
{
    public const int Threshold = 3;
    public const int CoolDownMs = 300;
    private const int Wait = CoolDownMs + 50;

    /// <summary>Calls F F F | rejected, rejected | (cool-down) probe F | rejected | (cool-down) probe S | S. Real time: two 350 ms timers.</summary>
    public static readonly BreakerPlan Tripping = new(Threshold, CoolDownMs, [true, true, true, true, false, false], [0, 0, 0, 0, 0, Wait, 0, Wait, 0], false);

    public static readonly CheckSpec OpensAfterThreshold = CheckSpec.Core("opens-after-threshold", $"{Threshold} consecutive failed calls (one attempt each) open the breaker, and not before");

    public static readonly CheckSpec OpenFailsFast = CheckSpec.Core("open-fails-fast-without-call", "While open, requests are rejected and never reach the dependency (its call log holds exactly the calls the outcomes say were made)");

    /// <summary>Runs the tripping plan through <paramref name="orchestrator"/>, records both checks and returns the outcomes for the fact's later checks.</summary>
    public static async Task<List<string>> TripAsync(InProcessBlock block, CheckScope checks, string orchestrator)
    {
        var tripId = await block.StartAsync("RT-03", orchestrator, Tripping);
        var trip = (await block.CompletionAsync(tripId)).ReadOutputAs<List<string>>() ?? [];
        var tripCalls = block.Log.Count(tripId, nameof(ScriptedDependencyActivity));
        checks.Expect(
            OpensAfterThreshold.Id,
            trip.Count == Tripping.DelaysBeforeMs.Count && trip.Take(Threshold).All(o => o == "failed") && trip[Threshold] == "rejected",
            $"outcomes [{string.Join(", ", trip)}]: requests 1-{Threshold} failed, request {Threshold + 1} {(trip.Count > Threshold ? trip[Threshold] : "missing")}");
        var made = trip.Count(o => o != "rejected");
        checks.Expect(
            OpenFailsFast.Id,
            trip.Count(o => o == "rejected") == 3 && tripCalls == made && made == Tripping.FailOnCall.Count,
            $"{trip.Count(o => o == "rejected")} rejected; the dependency logged {tripCalls} call(s), the outcomes account for {made}");
        return trip;
    }
}
