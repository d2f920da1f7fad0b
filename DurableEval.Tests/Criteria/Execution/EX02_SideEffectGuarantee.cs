using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
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
    [Criterion("EX-02")]
    public async Task EX02_SideEffectGuarantee()
    {
        const int Steps = 3;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("results-memoized", $"On a worker with no cache (every task replays from history) each of the {Steps} activities and the local-activity step still ran once; the history holds {Steps} ActivityTaskCompleted and 1 MarkerRecorded"),
                Core("replay-skips-activities", "Queried after completion, the no-cache worker replays the whole run with its activities registered, and the local-activity step (the one step a replay could re-run: its result lives in a marker) does not run again"),
                Core("at-least-once-visible", "An activity that fails after its side effect is retried, so the raw effect happens twice"),
                Core("dedup-key-once", "A dedup key of workflow id + activity id keeps the external effect to one"),
                Edge("attempt-visible", "The retry is visible as attempt 2, both to the activity and in history"),
            ],
            async (server, checks) =>
            {
                var ledger = new StepLedger();
                var queue = server.NewTaskQueue("effects");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<MemoizedStepsWorkflow>()
                    .AddWorkflow<AtLeastOnceEffectWorkflow>()
                    .AddAllActivities(new LedgerActivities(ledger)));

                var memo = await server.Client.StartWorkflowAsync((MemoizedStepsWorkflow w) => w.RunAsync(Steps), server.Options("memo", queue));
                await memo.GetResultAsync();
                var history = await memo.FetchHistoryAsync();
                var local = MemoizedStepsWorkflow.LocalStep(Steps);
                IReadOnlyList<int> Runs() => Enumerable.Range(1, local).Select(s => ledger.Executions(memo.Id, LedgerActivities.StepName(s))).ToList();
                var runs = Runs();
                var tasks = HistoryProbe.Count(history, EventType.WorkflowTaskCompleted);
                var markers = HistoryProbe.Count(history, EventType.MarkerRecorded);
                checks.Expect(
                    "results-memoized",
                    runs.All(n => n == 1) && HistoryProbe.Count(history, EventType.ActivityTaskCompleted) == Steps && markers == 1 && tasks > Steps,
                    $"executions per step {string.Join("/", runs)} (steps 1..{Steps} regular, {local} local) across {tasks} workflow tasks, each replayed from history; {HistoryProbe.Count(history, EventType.ActivityTaskCompleted)} ActivityTaskCompleted, {markers} MarkerRecorded");

                // The live worker has no cache and every activity registered: answering this query replays the
                // finished run. Regular activities cannot run on replay at all; the local one runs again unless
                // the SDK finds its marker in the history, so its count is the one that can move.
                var before = ledger.TotalExecutions;
                var stepsSeen = await memo.QueryAsync(w => w.StepsDone, new() { Rpc = new() { CancellationToken = checks.Cancellation } });
                var after = Runs();
                checks.Expect(
                    "replay-skips-activities",
                    stepsSeen == local && after.All(n => n == 1) && ledger.TotalExecutions == before,
                    $"replay by query rebuilt {stepsSeen} of {local} steps; executions per step after it {string.Join("/", after)} (local step {local}: {after[^1]}); ledger total {before} before, {ledger.TotalExecutions} after");

                var effect = await server.Client.StartWorkflowAsync((AtLeastOnceEffectWorkflow w) => w.RunAsync(), server.Options("effect", queue));
                var result = await effect.GetResultAsync();
                var raw = ledger.RawEffects(effect.Id, LedgerActivities.StepName(1));
                checks.Expect("at-least-once-visible", raw == 2, $"raw effects {raw} for one logical step (result {result})");
                var distinct = ledger.DistinctEffects(effect.Id);
                checks.Expect("dedup-key-once", distinct == 1 && raw > distinct, $"{distinct} effect applied through the dedup key for {raw} raw executions");

                var started = HistoryProbe.FirstOf(await effect.FetchHistoryAsync(), EventType.ActivityTaskStarted)?.ActivityTaskStartedEventAttributes.Attempt;
                checks.Expect("attempt-visible", result.EndsWith("@attempt2", StringComparison.Ordinal) && started == 2, $"activity returned {result}; history ActivityTaskStarted attempt {started}");
            });
        fact.Cite(
            "A local activity's result is recorded in a MarkerRecorded event; on replay the SDK uses the marker instead of executing the local activity again.",
            "https://docs.temporal.io/local-activity");
        fact.Cite(
            "Activities are executed at least once; exactly-once external effects need an idempotency key, for which the docs recommend workflow run id + activity id.",
            "https://docs.temporal.io/activity-definition#idempotency");
        fact.Conclude();
    }
}
