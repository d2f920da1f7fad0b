using System.Diagnostics;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;
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
                Core("history-in-order", "The history records every step in order: start, activity, signal, timer, completion"),
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
                checks.Expect(
                    "history-in-order",
                    types[0] == EventType.WorkflowExecutionStarted && types[^1] == EventType.WorkflowExecutionCompleted && HistoryProbe.ContainsInOrder(types, expected),
                    HistoryProbe.Sequence(types.Where(t => t is not (EventType.WorkflowTaskScheduled or EventType.WorkflowTaskStarted or EventType.WorkflowTaskCompleted))));

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
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue)
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
                var after = await resumed.QueryAsync(w => w.State);
                await resumed.SignalAsync(w => w.ApproveAsync());
                var result = await resumed.GetResultAsync<string>();
                checks.Expect(
                    "server-restart",
                    after == before && result == $"{PersistenceActivities.Prepare(Order)}|approved",
                    $"state before restart {before}, after {after}; result {result}");
            });
        fact.Conclude();
    }
}
