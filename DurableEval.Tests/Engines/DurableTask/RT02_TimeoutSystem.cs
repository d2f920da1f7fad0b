using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("RT-02", Engine = "durabletask")]
    public async Task RT02_TimeoutSystem()
    {
        // Real time (the host cannot skip time): a 900 ms call against a 400 ms timer, about 1 s in all.
        var slow = new TimedCall(900, 400);
        var fast = new TimedCall(0, 3_000);
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("timer-race-times-out", $"The documented pattern: a {slow.ActivityMs} ms call raced with a {slow.TimeoutMs} ms durable timer is decided by the timer, at {slow.TimeoutMs} ms of orchestration time (no earlier, at most {TimerWake.Tolerance.TotalSeconds:0} s later; real time)"),
                Edge("timed-out-run-completes-on-time", $"The run that timed out completes before the abandoned {slow.ActivityMs} ms call returns"),
                Core("timer-race-call-wins", $"A call faster than its {fast.TimeoutMs} ms timer returns its result and the run completes within 2 s, its timer cancelled"),
                Core("start-to-close", "The activity call takes a start-to-close (per attempt) timeout"),
                Core("schedule-to-close", "The activity call takes a schedule-to-close (whole call, retries included) timeout"),
                Core("schedule-to-start", "The activity call takes a schedule-to-start (queue wait) timeout"),
                Core("heartbeat", "The activity call takes a heartbeat timeout"),
                Core("execution-timeout-ends-run", "An orchestration can be started with an execution timeout that ends it"),
                Edge("timed-out-call-stopped", "The call the timer gave up on is stopped (as a start-to-close timeout stops the attempt), not left running to its end"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<TimerRacedCallOrchestrator>();
                tasks.AddActivity<SlowCallActivity>();
            },
            async (block, checks) =>
            {
                var quickClock = System.Diagnostics.Stopwatch.StartNew();
                var quick = await block.StartAsync("RT-02", nameof(TimerRacedCallOrchestrator), fast);
                var quickDone = await block.CompletionAsync(quick);
                var quickWall = quickClock.ElapsedMilliseconds;
                var q = quickDone.ReadOutputAs<TimedCallOutcome>();
                checks.Expect(
                    "timer-race-call-wins",
                    quickDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && q is { EndedBy: "call", Result: 0 } && quickWall < 2_000,
                    $"{quickDone.RuntimeStatus}: ended by the {q?.EndedBy} with {q?.Result?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no result"} after {quickWall} ms of wall time; its {fast.TimeoutMs} ms timer was cancelled");

                var timedOut = await block.StartAsync("RT-02", nameof(TimerRacedCallOrchestrator), slow);
                var timedDone = await block.CompletionAsync(timedOut);
                var seenAt = DateTimeOffset.UtcNow;

                // The instance's own completion time: the client's wait was seen to return only once the abandoned call had ended.
                var completedAt = timedDone.LastUpdatedAt;
                var t = timedDone.ReadOutputAs<TimedCallOutcome>();
                var waited = TimeSpan.FromMilliseconds(t?.WaitedMs ?? 0);
                var timeout = TimeSpan.FromMilliseconds(slow.TimeoutMs);
                var callEnd = await CallEndAsync(block, timedOut);
                var endedEarly = callEnd is null || callEnd.At > completedAt;
                checks.Expect(
                    "timer-race-times-out",
                    t is { EndedBy: "timer", Result: null } && TimerWake.OnTime(waited, timeout),
                    $"ended by the {t?.EndedBy} after {waited.TotalMilliseconds:0} ms of orchestration time ({TimerWake.Describe(waited, timeout)}; real time)");
                checks.Expect(
                    "timed-out-run-completes-on-time",
                    timedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && endedEarly,
                    $"the instance completed at {Stamp(completedAt)}, the call {(callEnd is null ? "had not returned within 3 s" : $"returned at {Stamp(callEnd.At)}")} (real time); the client's wait returned at {Stamp(seenAt)}{(endedEarly ? string.Empty : ": on this host the timed-out run's completion waits for the abandoned call")}");
                checks.Expect(
                    "timed-out-call-stopped",
                    callEnd is null,
                    callEnd is not null
                        ? $"the abandoned {slow.ActivityMs} ms call ran to its end {(callEnd.At - completedAt).TotalMilliseconds:0} ms after the instance completed: Durable Task cannot cancel a running activity, the timer only stops the waiting"
                        : "the abandoned call never reached its end within 3 s");

                var callSurface = SdkSurface.Members(typeof(TaskOptions), typeof(RetryPolicy));
                var startSurface = SdkSurface.Members(typeof(StartOrchestrationOptions));
                // RetryPolicy.RetryTimeout only bounds when another retry may start; it is named, not counted as any of these.
                var otherTimeouts = string.Join(", ", SdkSurface.Matching(callSurface, "Timeout"));
                var note = $"(timeout-named: {otherTimeouts}, which bounds retrying, not a call); the only call timeout is the timer race above";
                SdkSurface.ExpectAbsent(checks, "start-to-close", callSurface, ["StartToClose"], note);
                SdkSurface.ExpectAbsent(checks, "schedule-to-close", callSurface, ["ScheduleToClose"], note);
                SdkSurface.ExpectAbsent(checks, "schedule-to-start", callSurface, ["ScheduleToStart"], note);
                SdkSurface.ExpectAbsent(checks, "heartbeat", callSurface, ["Heartbeat"], note);
                SdkSurface.ExpectAbsent(checks, "execution-timeout-ends-run", startSurface, ["Timeout", "Expir"], "an orchestration runs until it completes, fails or is terminated");
            });
        fact.Cite(
            "Durable Functions has no activity timeout setting: to time out a call, create a durable timer and wait with Task.WhenAny for the call or the timer; the activity is not cancelled and keeps running.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-error-handling#function-timeouts");
        fact.Conclude();
    }

    /// <summary>Waits, bounded, for the abandoned call to finish on its own: it is the evidence that nothing stopped it.</summary>
    private static async Task<DurableCall?> CallEndAsync(InProcessBlock block, string instanceId)
    {
        await Eventually.HoldsAsync(
            () => Task.FromResult(block.Log.For(instanceId).Any(c => c.Step == SlowCallActivity.Ended)),
            TimeSpan.FromSeconds(3),
            block.Cancellation);
        return block.Log.For(instanceId).FirstOrDefault(c => c.Step == SlowCallActivity.Ended);
    }

    private static string Stamp(DateTimeOffset at) => at.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
}
