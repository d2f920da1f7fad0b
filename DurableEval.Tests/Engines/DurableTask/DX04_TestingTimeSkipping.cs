using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("DX-04", Engine = "durabletask")]
    public async Task DX04_TestingTimeSkipping()
    {
        // Real time: one 1 s timer is measured; the 30-day timer is only observed for that second, then terminated.
        var shortTimer = TimeSpan.FromSeconds(1);
        var longWait = TimeSpan.FromDays(30);
        var hostSurface = SdkSurface.Members(typeof(DurableTaskTestHostOptions), typeof(DurableTaskTestHost));
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("long-wait-skips", $"A {longWait.TotalDays:0}-day timer completes in seconds of wall time (time skipping)"),
                Core("timer-real-time", $"A {shortTimer.TotalSeconds:0} s timer takes at least that long in wall time and wakes at its start + {shortTimer.TotalSeconds:0} s of orchestration time (at most {TimerWake.Tolerance.TotalSeconds:0} s later): the host runs timers in real time"),
                Core("test-double-called", $"A test double registered under the activity name \"{nameof(ModelCallActivity)}\" is the one the unchanged orchestration calls"),
                Edge("activity-alone", "An activity runs alone, outside any host, given a hand-made TaskActivityContext (the SDK has no ActivityEnvironment)"),
                Core("replayer-detects-change", "A replayer passes a history with the code that wrote it and fails it once the history and code disagree (an activity renamed); the replayer is assembled from public types (DX-07), the SDK has none"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<DurableSleepOrchestrator>();
                tasks.AddOrchestrator<ModelCallOrchestrator>();
                tasks.AddActivityFunc<string, string>(nameof(ModelCallActivity), (_, prompt) => $"double:{prompt}");
            },
            async (block, checks) =>
            {
                var monthLong = await block.StartAsync("DX-04", nameof(DurableSleepOrchestrator), (long)longWait.TotalMilliseconds);
                var monthClock = Stopwatch.StartNew();

                var clock = Stopwatch.StartNew();
                var shortId = await block.StartAsync("DX-04", nameof(DurableSleepOrchestrator), (long)shortTimer.TotalMilliseconds);
                var shortDone = await block.CompletionAsync(shortId);
                var wall = clock.Elapsed;
                var slept = shortDone.ReadOutputAs<SleepOutcome>()!;
                var waited = slept.Woke - slept.Started;
                fact.Metric("timer_1s_wall_ms", wall.TotalMilliseconds, "ms");
                checks.Expect(
                    "timer-real-time",
                    shortDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && wall >= shortTimer && TimerWake.OnTime(waited, shortTimer),
                    $"{shortDone.RuntimeStatus} after {wall.TotalMilliseconds:0} ms of wall time, waking at start + {waited.TotalMilliseconds:0} ms of orchestration time ({TimerWake.Describe(waited, shortTimer)})");

                var month = await block.Client.GetInstanceAsync(monthLong, block.Cancellation);
                var monthWall = monthClock.ElapsedMilliseconds;
                checks.Expect(
                    "long-wait-skips",
                    month?.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
                    $"after {monthWall} ms of wall time the {longWait.TotalDays:0}-day timer's run is {month?.RuntimeStatus}: the in-process host has no time skipping (its options and host offer {string.Join(", ", hostSurface)}), so testing it would take {longWait.TotalDays:0} days of real time");
                await block.Client.TerminateInstanceAsync(monthLong, "DX-04: the 30-day timer was only observed", block.Cancellation);

                var prompt = $"prompt-{Guid.NewGuid():N}"[..15];
                var doubled = await block.StartAsync("DX-04", nameof(ModelCallOrchestrator), new ModelCallRequest(prompt, 1, 50, 1, false));
                var d = (await block.CompletionAsync(doubled)).ReadOutputAs<ModelCallOutcome>();
                checks.Expect(
                    "test-double-called",
                    d is { Succeeded: true } && d.Answer == $"double:{prompt}",
                    $"the orchestration received '{d?.Answer ?? d?.FailureMessage}', the double answers 'double:{prompt}'");

                var log = new DurableCallLog();
                var alone = new StandaloneActivityContext(nameof(SlowCallActivity), "alone-1");
                var result = await new SlowCallActivity(log).RunAsync(alone, 5);
                var steps = log.For("alone-1").Select(c => c.Step).ToList();
                checks.Expect(
                    "activity-alone",
                    result == 5 && steps.SequenceEqual([SlowCallActivity.Started, SlowCallActivity.Ended]),
                    $"returned {result}; logged [{string.Join(", ", steps)}] under the hand-made context's instance id");

                // The host keeps no history (0 events), so the history is recorded in code through the SDK's own executor.
                var history = RecordFanOut(3);
                var same = ReplayFanOut("dx04-same", 3, history);
                var changed = ReplayFanOut("dx04-changed", 3, RenameScheduled(history, "RenamedActivity"));
                checks.Expect(
                    "replayer-detects-change",
                    same.Passed && !changed.Passed && changed.Replay.FailureType == typeof(global::DurableTask.Core.Exceptions.NonDeterministicOrchestrationException).FullName,
                    $"same code: {same.Replay.Describe()}; renamed activity: {(changed.Replay.Describe() is { Length: > 200 } f ? f[..200] + "…" : changed.Replay.Describe())}");
            });
        fact.Cite(
            "Durable timers fire at their due time; the Durable Task SDKs' in-process test host runs orchestrations and timers in real time, without a time-skipping clock.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-timers");
        fact.Conclude();
    }

    /// <summary>The context an activity sees, made by hand: enough to run an activity class alone in a test.</summary>
    private sealed class StandaloneActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name => name;

        public override string InstanceId => instanceId;
    }
}
