using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    [SkippableFact]
    [Criterion("EX-04")]
    public async Task EX04_StatePersistence()
    {
        const string Order = "order-42";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("history-in-order", "Without its workflow-task events, the history is exactly: start, activity scheduled/started/completed, signal, timer started/fired, completion (no step missing, duplicated or extra)"),
                Core("activity-result-recorded", "The activity's result is stored in history and decodes to the value it returned"),
                Core("query-after-worker-replaced", "A query answers the same state from a new worker after the old one is gone"),
                Edge("history-replays", "The recorded history replays with the same code"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("persist");
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<HistoryRecordsEveryStepWorkflow>()
                    .AddActivity(PersistenceActivities.Prepare);

                var first = RunningWorker.Start(server.Client, Options());
                var handle = await server.Client.StartWorkflowAsync((HistoryRecordsEveryStepWorkflow w) => w.RunAsync(Order), server.Options("steps", queue));
                PersistedState? before = null;
                await Eventually.HoldsAsync(async () => (before = await handle.QueryAsync(w => w.State)).Stage == "awaiting-approval", Observe.Bound);
                await first.DisposeAsync();

                await using var second = RunningWorker.Start(server.Client, Options());
                var after = await handle.QueryAsync(w => w.State);
                checks.Expect(
                    "query-after-worker-replaced",
                    before is { Stage: "awaiting-approval" } && after == before,
                    $"state before the swap {before}; from the new worker {after}");

                await handle.SignalAsync(w => w.ApproveAsync());
                var result = await handle.GetResultAsync();
                var history = await handle.FetchHistoryAsync();
                var types = HistoryProbe.Types(history);
                EventType[] expected =
                [
                    EventType.WorkflowExecutionStarted, EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted,
                    EventType.ActivityTaskCompleted, EventType.WorkflowExecutionSignaled, EventType.TimerStarted,
                    EventType.TimerFired, EventType.WorkflowExecutionCompleted,
                ];
                var steps = StepEvents(types);
                checks.Expect(
                    "history-in-order",
                    steps.SequenceEqual(expected),
                    $"recorded {HistoryProbe.Sequence(steps)}; expected {HistoryProbe.Sequence(expected)}");

                var completed = HistoryProbe.FirstOf(history, EventType.ActivityTaskCompleted);
                var recorded = completed is null ? null : HistoryProbe.DecodeFirst<string>(completed.ActivityTaskCompletedEventAttributes.Result);
                checks.Expect(
                    "activity-result-recorded",
                    recorded == PersistenceActivities.Prepare(Order) && result.StartsWith(recorded, StringComparison.Ordinal),
                    $"ActivityTaskCompleted result decodes to \"{recorded}\"; workflow result \"{result}\"");

                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<HistoryRecordsEveryStepWorkflow>(), checks.Cancellation);
                checks.Expect("history-replays", replay[0].Failure is null, replay[0].Failure?.Message ?? "replayed cleanly");
                HistoryFixtures.SaveIfRecording(Settings.Current, nameof(HistoryRecordsEveryStepWorkflow), history);
            });

        await fact.LiveAsync(
            ServerNeed.RestartableDev,
            [Production("server-restart", "A dev server on a database file, restarted mid-run, keeps the waiting workflow and its state")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("restart");
                // No cache: the worker after the restart must rebuild the run from the restarted server's history,
                // not from memory.
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<HistoryRecordsEveryStepWorkflow>()
                    .AddActivity(PersistenceActivities.Prepare);

                string workflowId;
                PersistedState? before = null;
                await using (var worker = RunningWorker.Start(server.Client, Options()))
                {
                    var handle = await server.Client.StartWorkflowAsync((HistoryRecordsEveryStepWorkflow w) => w.RunAsync(Order), server.Options("restart", queue));
                    workflowId = handle.Id;
                    await Eventually.HoldsAsync(async () => (before = await handle.QueryAsync(w => w.State)).Stage == "awaiting-approval", Observe.Bound);
                }

                await server.RestartServerAsync();
                await using var again = RunningWorker.Start(server.Client, Options());
                var resumed = server.Client.GetWorkflowHandle<HistoryRecordsEveryStepWorkflow>(workflowId);
                PersistedState? after = null;
                await Eventually.HoldsAsync(async () => (after = await resumed.QueryAsync(w => w.State)) is not null, Observe.Bound, checks.Cancellation);
                await resumed.SignalAsync(w => w.ApproveAsync());
                var result = await resumed.GetResultAsync<string>();
                checks.Expect(
                    "server-restart",
                    after == before && result == $"{PersistenceActivities.Prepare(Order)}|approved",
                    $"state before restart {before}, after {after}; result {result}");
            });
        fact.Conclude();
    }

    /// <summary>A history's event types without workflow-task bookkeeping: what the workflow's own steps recorded.</summary>
    internal static List<EventType> StepEvents(IEnumerable<EventType> types) =>
        types.Where(t => t is not (EventType.WorkflowTaskScheduled or EventType.WorkflowTaskStarted or EventType.WorkflowTaskCompleted)).ToList();
}
