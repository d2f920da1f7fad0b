using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class SignalsEventsFacts
{
    [SkippableFact]
    [Criterion("SG-04")]
    public async Task SG04_Query()
    {
        const int Queries = 20;
        const int Steps = 2;
        const int Target = 10;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("query-live", "A query reads the running workflow's current state as signals change it"),
                Core("query-after-completion", "A query on the completed workflow answers its final state, replayed by the worker from history"),
                Core("query-adds-no-events", $"{Queries} queries on the running workflow and queries on the completed one add no history events"),
                Core("update-validator-rejects", "An update the validator refuses fails with WorkflowUpdateFailedException and leaves no UpdateAccepted event"),
                Core("update-returns-value", "A valid update is accepted, finishes within the caller's call, returns its value, and the next query sees its effect"),
                Edge("query-failure-surfaces", "A query handler that throws surfaces as WorkflowQueryFailedException carrying its message"),
                Edge("query-rejected-when-closed", "QueryRejectCondition.NotOpen on a completed workflow gives WorkflowQueryRejectedException with status Completed"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("query");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<QueryableProgressWorkflow>());
                var handle = await server.Client.StartWorkflowAsync((QueryableProgressWorkflow w) => w.RunAsync(), server.Options("progress", queue));
                // Polls until the first workflow task has run: a query before it can be refused.
                ProgressState? initial = null;
                await Eventually.HoldsAsync(async () => (initial = await handle.QueryAsync(w => w.State)) is not null, Observe.Bound);
                for (var i = 0; i < Steps; i++)
                {
                    await handle.SignalAsync(w => w.StepAsync());
                }

                ProgressState? live = null;
                await Eventually.HoldsAsync(async () => (live = await handle.QueryAsync(w => w.State)).Steps == Steps, Observe.Bound);
                checks.Expect(
                    "query-live",
                    initial == new ProgressState(0, 0) && live == new ProgressState(Steps, 0),
                    $"state before signals {initial}; after {Steps} step signals {live}; workflow still running");

                var runningBefore = await EventCountAsync(handle);
                var answers = new List<ProgressState>();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < Queries; i++)
                {
                    answers.Add(await handle.QueryAsync(w => w.State));
                }

                fact.Metric("query_latency_mean_ms", clock.Elapsed.TotalMilliseconds / Queries, "ms");
                var runningAfter = await EventCountAsync(handle);

                var broken = await Observe.FailureOfAsync(() => handle.QueryAsync(w => w.BrokenQuery()));
                checks.Expect(
                    "query-failure-surfaces",
                    broken is WorkflowQueryFailedException && broken.Message.Contains("query boom", StringComparison.Ordinal),
                    $"throwing query: {Observe.Describe(broken)}");

                var refused = await Observe.FailureOfAsync(() => handle.ExecuteUpdateAsync(w => w.SetTargetAsync(QueryableProgressWorkflow.MaxTarget + 1)));
                var acceptedAfterRefusal = HistoryProbe.Count(await handle.FetchHistoryAsync(), EventType.WorkflowExecutionUpdateAccepted);
                checks.Expect(
                    "update-validator-rejects",
                    refused is WorkflowUpdateFailedException { InnerException: ApplicationFailureException } && acceptedAfterRefusal == 0,
                    $"update with target {QueryableProgressWorkflow.MaxTarget + 1}: {Observe.DescribeChain(refused)}; {acceptedAfterRefusal} UpdateAccepted events");

                clock.Restart();
                var remaining = await handle.ExecuteUpdateAsync(w => w.SetTargetAsync(Target));
                fact.Metric("update_roundtrip_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var afterUpdate = await handle.QueryAsync(w => w.State);
                var updateHistory = await handle.FetchHistoryAsync();
                var accepted = HistoryProbe.Count(updateHistory, EventType.WorkflowExecutionUpdateAccepted);
                var completed = HistoryProbe.Count(updateHistory, EventType.WorkflowExecutionUpdateCompleted);
                checks.Expect(
                    "update-returns-value",
                    remaining == Target - Steps && afterUpdate.Target == Target && accepted == 1 && completed == 1,
                    $"update returned {remaining} (target {Target} minus {Steps} steps); next query {afterUpdate}; history {accepted} UpdateAccepted, {completed} UpdateCompleted");

                await handle.SignalAsync(w => w.FinishAsync());
                var final = await handle.GetResultAsync();
                var closedBefore = await EventCountAsync(handle);
                var runsBefore = QueryableProgressWorkflow.RunEntries[handle.Id];
                clock.Restart();
                var closedAnswer = await handle.QueryAsync(w => w.State);
                fact.Metric("query_completed_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var runsAfter = QueryableProgressWorkflow.RunEntries[handle.Id];
                var rejected = await Observe.FailureOfAsync(() => handle.QueryAsync(w => w.State, new() { RejectCondition = QueryRejectCondition.NotOpen }));
                var closedAfter = await EventCountAsync(handle);
                checks.Expect(
                    "query-after-completion",
                    closedAnswer == final && final == new ProgressState(Steps, Target) && runsAfter > runsBefore,
                    $"result {final}; query after completion {closedAnswer}; run method entered {runsBefore} time(s) before that query, {runsAfter} after (the query replayed the history)");
                checks.Expect(
                    "query-adds-no-events",
                    answers.All(a => a == live) && runningBefore == runningAfter && closedBefore == closedAfter,
                    $"running: {runningBefore} events before {Queries} queries, {runningAfter} after; completed: {closedBefore} before the queries, {closedAfter} after");
                checks.Expect(
                    "query-rejected-when-closed",
                    rejected is WorkflowQueryRejectedException { WorkflowStatus: WorkflowExecutionStatus.Completed },
                    $"NotOpen query on the completed workflow: {Observe.Describe(rejected)}");
            });
        fact.Conclude();
    }
}
