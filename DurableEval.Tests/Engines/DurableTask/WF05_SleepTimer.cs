using System.Diagnostics;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("WF-05", Engine = "durabletask")]
    public async Task WF05_SleepTimer()
    {
        var fact = Begin();
        const int ShortMs = 500;
        const int LateBoundMs = 1_000;
        const int WatchMs = 1_000;
        var thirtyDays = TimeSpan.FromDays(30);
        await InProcessHost.RunAsync(
            fact,
            [
                Core("thirty-day-sleep", $"A 30-day durable sleep completes in seconds of wall time (time skipping); watched for {WatchMs} ms of real time"),
                Core("short-timer-real-time", $"A {ShortMs} ms durable timer fires no earlier than {ShortMs} ms (orchestration time and wall time) and wakes the orchestration within {LateBoundMs} ms after it is due (orchestration time, which is real time here)"),
                Core("timer-cancelled", "A durable timer raced against an event is cancelled when the event wins: the run ends well before its 3 s timer (real time) would fire"),
                Edge("cron-runs", "A cron schedule starts runs on the calendar"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<DurableSleepOrchestrator>();
                tasks.AddOrchestrator<FirstOfSeveralOrchestrator>();
            },
            async (block, checks) =>
            {
                var clock = Stopwatch.StartNew();
                var shortId = await block.StartAsync("WF-05", nameof(DurableSleepOrchestrator), (long)ShortMs);
                var shortDone = await block.CompletionAsync(shortId);
                var wallMs = clock.ElapsedMilliseconds;
                var slept = shortDone.ReadOutputAs<SleepOutcome>();
                var sleptMs = slept is null ? -1 : (slept.Woke - slept.Started).TotalMilliseconds;
                checks.Expect(
                    "short-timer-real-time",
                    shortDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && sleptMs >= ShortMs && sleptMs < ShortMs + LateBoundMs && wallMs >= ShortMs,
                    $"status {shortDone.RuntimeStatus}; orchestration time asleep {sleptMs:0} ms for a {ShortMs} ms timer ({sleptMs - ShortMs:0} ms late); wall time from the start call to completion {wallMs} ms, which includes the fresh host's first dispatch (real time: Durable Task has no time skipping)");

                clock.Restart();
                var racing = await block.StartAsync("WF-05", nameof(FirstOfSeveralOrchestrator), 3_000);
                await block.StartedAsync(racing);
                await block.Client.RaiseEventAsync(racing, FirstOfSeveralOrchestrator.GoEvent, "now", block.Cancellation);
                var raced = await block.CompletionAsync(racing);
                var racedMs = clock.ElapsedMilliseconds;
                checks.Expect(
                    "timer-cancelled",
                    raced.RuntimeStatus == OrchestrationRuntimeStatus.Completed && raced.ReadOutputAs<string>() == "event" && racedMs < 2_000,
                    $"winner {raced.ReadOutputAs<string>()}, run ended {raced.RuntimeStatus} after {racedMs} ms, its 3 s timer (real time) cancelled; no history on this host to show a TimerCanceled record");

                var longId = await block.StartAsync("WF-05", nameof(DurableSleepOrchestrator), (long)thirtyDays.TotalMilliseconds);
                await block.StartedAsync(longId);
                await Task.Delay(WatchMs, block.Cancellation);
                var watched = await block.Client.GetInstanceAsync(longId, getInputsAndOutputs: true, block.Cancellation);
                var woke = watched?.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? watched.ReadOutputAs<SleepOutcome>() : null;
                checks.Expect(
                    "thirty-day-sleep",
                    woke is not null && woke.Woke - woke.Started >= thirtyDays,
                    $"after {WatchMs} ms of real time the 30-day sleep was {watched?.RuntimeStatus}: Durable Task has no time skipping (its timers run in real time), so a 30-day timer cannot be tested in seconds");
                await block.Client.TerminateInstanceAsync(longId, "end of fact", block.Cancellation);

                checks.NotRun("cron-runs", "schedules exist only with the Durable Task Scheduler backend (interval schedules, .NET SDK only: durable-task-schedulers-schedules), not on this in-process host (nor on Azure Storage); elsewhere the pattern is an eternal orchestration with a durable timer (SG-03 eternal-timer-ticks)");
            });
        fact.Conclude();
    }
}
