using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("EX-04", Engine = "durabletask")]
    public async Task EX04_StatePersistence()
    {
        var fact = Begin();
        const string Note = "kept";
        await InProcessHost.RunAsync(
            fact,
            [
                Core("history-in-order", "While the run waits for its event, its history (without orchestrator-step markers) is exactly: execution started, activity scheduled, activity completed"),
                Core("state-across-continue-as-new", $"State built from an activity result, an event and a {CarriedStateOrchestrator.TimerMs} ms durable timer (real time) is handed intact to the next run by ContinueAsNew, which returns it"),
                Core("query-after-worker-replaced", "The state the instance exposes (custom status) is the same after its worker is stopped and started again, and the restarted worker carries the run on from there"),
                Edge("history-replays", "Replay rebuilds the orchestrator's state from recorded results: the activity ran once although the orchestrator code re-ran at each later step"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<CarriedStateOrchestrator>();
                tasks.AddActivity<TickActivity>();
            },
            async (block, checks) =>
            {
                var id = await block.StartAsync("EX-04", nameof(CarriedStateOrchestrator), new CarriedState(0, ["start"]));
                var waiting = await block.StatusAsync(id, m => m.ReadCustomStatusAs<CarriedState>()?.Steps.Count == 2);
                var history = await block.HistoryAsync(id);
                var worker = InProcessWorker.Find(block);
                OrchestrationMetadata? whileStopped = null;
                if (worker is not null)
                {
                    await InProcessWorker.WhileStoppedAsync(worker, block.Cancellation, async () =>
                        whileStopped = await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation));
                }

                var afterRestart = await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation);
                await block.Client.RaiseEventAsync(id, CarriedStateOrchestrator.NoteEvent, Note, block.Cancellation);
                var done = await block.CompletionAsync(id);
                var output = done.ReadOutputAs<CarriedState>();
                string[] expected = ["start", "activity:41", $"event:{Note}", "timer", "continued:1"];
                checks.Expect(
                    "state-across-continue-as-new",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && output?.Generation == 1 && output.Steps.SequenceEqual(expected),
                    $"status {done.RuntimeStatus}; the continued run returned generation {output?.Generation} with [{string.Join(", ", output?.Steps ?? [])}] (expected [{string.Join(", ", expected)}])");

                if (worker is null)
                {
                    checks.NotRun("query-after-worker-replaced", "the in-process test host's services hold no DurableTaskWorker to stop and start again");
                }
                else
                {
                    var before = waiting?.SerializedCustomStatus;
                    checks.Expect(
                        "query-after-worker-replaced",
                        before is not null && whileStopped?.SerializedCustomStatus == before && afterRestart?.SerializedCustomStatus == before && output?.Steps.Count == expected.Length,
                        $"custom status before {before}; with the worker stopped {whileStopped?.SerializedCustomStatus}; after it started again {afterRestart?.SerializedCustomStatus}; the run then completed {done.RuntimeStatus}. This host can only stop and restart its one worker in the same process (not a new worker process): the backend holding the state is the same in-memory store");
                }

                checks.Expect(
                    "history-replays",
                    block.Log.Count(id, "tick") == 1 && output?.Steps.Contains("activity:41") == true,
                    $"the activity ran {block.Log.Count(id, "tick")} time(s) across the event, the timer and the hand-over; its result 41 is in the final state: {output?.Steps.Contains("activity:41") == true}");

                if (history.Count == 0)
                {
                    checks.NotRun("history-in-order", $"{InProcessBlock.NoHistory}; no Durable Task fact reads it on the Azure Storage host yet");
                }
                else
                {
                    var kinds = history.Select(e => e.EventType)
                        .Where(k => k is not global::DurableTask.Core.History.EventType.OrchestratorStarted and not global::DurableTask.Core.History.EventType.OrchestratorCompleted)
                        .Select(k => k.ToString())
                        .ToList();
                    string[] expectedKinds = ["ExecutionStarted", "TaskScheduled", "TaskCompleted"];
                    checks.Expect("history-in-order", kinds.SequenceEqual(expectedKinds), $"history while waiting: [{string.Join(", ", kinds)}] (expected [{string.Join(", ", expectedKinds)}])");
                }
            });
        fact.Conclude();
    }
}
