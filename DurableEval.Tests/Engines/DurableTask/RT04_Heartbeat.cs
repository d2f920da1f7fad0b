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
    [Criterion("RT-04", Engine = "durabletask")]
    public async Task RT04_Heartbeat()
    {
        // Real time: an 800 ms stall stands for an activity that stopped heartbeating (the host has no time skipping).
        const int StallMs = 800;
        var fact = Begin();
        var activitySurface = SdkSurface.Members(typeof(TaskActivityContext));
        var heartbeatMembers = SdkSurface.Matching(activitySurface, "Heartbeat", "Checkpoint", "Cancel");
        var noHeartbeat = $"cannot be attempted: an activity has no heartbeat in Microsoft.DurableTask {typeof(TaskActivityContext).Assembly.GetName().Version} (TaskActivityContext offers {string.Join(", ", activitySurface)}), so there is no detail to record or resume from; a checkpoint would have to live in the user's own storage";
        await InProcessHost.RunAsync(
            fact,
            [
                Core("details-recorded", "The engine holds the last heartbeat detail a crashed attempt sent"),
                Core("retry-resumes-from-checkpoint", "The retried attempt reads that detail and resumes there"),
                Core("stalled-attempt-timed-out-and-retried", $"An attempt that stalls for {StallMs} ms (no progress) is detected, timed out and retried (real time)"),
                Core("cancellation-reaches-heartbeating-activity", $"Ending the run while its {StallMs} ms activity is running reaches the activity: it stops before its end"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<StalledCallOrchestrator>();
                tasks.AddActivity<SlowCallActivity>();
            },
            async (block, checks) =>
            {
                if (heartbeatMembers.Count > 0)
                {
                    checks.NotRun("details-recorded", $"the SDK now offers {string.Join(", ", heartbeatMembers)}; this fact does not exercise it yet: extend it");
                    checks.NotRun("retry-resumes-from-checkpoint", $"the SDK now offers {string.Join(", ", heartbeatMembers)}; this fact does not exercise it yet: extend it");
                }
                else
                {
                    checks.NotRun("details-recorded", noHeartbeat);
                    checks.NotRun("retry-resumes-from-checkpoint", noHeartbeat);
                }

                var stalled = await block.StartAsync("RT-04", nameof(StalledCallOrchestrator), StallMs);
                var stalledDone = await block.CompletionAsync(stalled);
                var attempts = block.Log.Count(stalled, SlowCallActivity.Started);
                checks.Expect(
                    "stalled-attempt-timed-out-and-retried",
                    attempts >= 2,
                    $"{attempts} attempt(s) under a 3-attempt retry policy; the run ended {stalledDone.RuntimeStatus} with {stalledDone.SerializedOutput}: the {StallMs} ms stall was simply waited out, nothing detected it (no heartbeat, no activity timeout; real time)");

                var cancelled = await block.StartAsync("RT-04", nameof(StalledCallOrchestrator), StallMs);
                await Eventually.HoldsAsync(() => Task.FromResult(block.Log.Count(cancelled, SlowCallActivity.Started) == 1), InProcessBlock.WaitBound, block.Cancellation);
                await block.Client.TerminateInstanceAsync(cancelled, "RT-04: cancel while the activity runs", block.Cancellation);
                var terminated = await block.CompletionAsync(cancelled);
                var terminatedAt = DateTimeOffset.UtcNow;
                var ranToEnd = await Eventually.HoldsAsync(
                    () => Task.FromResult(block.Log.Count(cancelled, SlowCallActivity.Ended) == 1),
                    TimeSpan.FromSeconds(3),
                    block.Cancellation);
                var end = block.Log.For(cancelled).FirstOrDefault(c => c.Step == SlowCallActivity.Ended);
                checks.Expect(
                    "cancellation-reaches-heartbeating-activity",
                    !ranToEnd,
                    ranToEnd
                        ? $"the run was {terminated.RuntimeStatus}; its activity still ran to its end {(end!.At - terminatedAt).TotalMilliseconds:0} ms later: an activity has no cancellation token, so termination never reaches it"
                        : $"the run was {terminated.RuntimeStatus} and its activity did not reach its end within 3 s");
            });
        fact.Finding("Durable Task has no activity heartbeat and no way to test one offline (no ActivityEnvironment): Temporal's offline checks have no counterpart here.");
        fact.Cite(
            "Durable Functions has no activity timeout or heartbeat; a timeout is a durable timer raced with the call, and the activity keeps running after the orchestrator stops waiting.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-error-handling#function-timeouts");
        fact.Conclude();
    }
}
