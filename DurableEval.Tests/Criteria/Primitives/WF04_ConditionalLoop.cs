using System.Diagnostics;
using System.Reflection;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
    [SkippableFact]
    [Criterion("WF-04")]
    public async Task WF04_ConditionalLoop()
    {
        const int DoneAtPoll = 3;
        const int Runs = 4;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("branch-on-input", "An if on the workflow input decides which activity runs (history and call counts agree)"),
                Core("loop-until-done", $"A while loop calls an activity until it reports done, at poll {DoneAtPoll}, and no more"),
                Core("continue-as-new-carries-state", $"A loop split into {Runs} runs by continue-as-new carries its running total and run ids to the final result"),
                Core("continued-run-input-recorded", "Each continued run's WorkflowExecutionStarted event records as its input the running total the previous run handed over (decoded and compared with the total computed from the batches)"),
                Edge("run-chain-in-history", "Each run's history hands over to the next: WorkflowExecutionContinuedAsNew naming the next run, whose start names its predecessor"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("loops");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<BranchThenPollUntilDoneWorkflow>()
                    .AddWorkflow<RunningTotalContinuesAsNewWorkflow>()
                    .AddAllActivities(new LoopActivities(counter))
                    .AddActivity(BatchActivities.AddBatch));

                var express = await server.Client.StartWorkflowAsync(
                    (BranchThenPollUntilDoneWorkflow w) => w.RunAsync(new LoopInput("order-express", true, DoneAtPoll)), server.Options("express", queue));
                var standard = await server.Client.StartWorkflowAsync(
                    (BranchThenPollUntilDoneWorkflow w) => w.RunAsync(new LoopInput("order-standard", false, DoneAtPoll)), server.Options("standard", queue));
                var expressResult = await express.GetResultAsync();
                var standardResult = await standard.GetResultAsync();
                var expressHistory = await express.FetchHistoryAsync();
                var standardHistory = await standard.FetchHistoryAsync();

                var expressTypes = ActivityEvents.Scheduled(expressHistory).Select(e => e.ActivityTaskScheduledEventAttributes.ActivityType.Name).Distinct().ToList();
                var standardTypes = ActivityEvents.Scheduled(standardHistory).Select(e => e.ActivityTaskScheduledEventAttributes.ActivityType.Name).Distinct().ToList();
                checks.Expect(
                    "branch-on-input",
                    expressResult.Shipped == "express:order-express" && standardResult.Shipped == "standard:order-standard"
                        && expressTypes.Contains(nameof(LoopActivities.ShipExpress)) && !expressTypes.Contains(nameof(LoopActivities.ShipStandard))
                        && standardTypes.Contains(nameof(LoopActivities.ShipStandard)) && !standardTypes.Contains(nameof(LoopActivities.ShipExpress))
                        && counter["order-express/ShipExpress"] == 1 && counter["order-express/ShipStandard"] == 0
                        && counter["order-standard/ShipStandard"] == 1 && counter["order-standard/ShipExpress"] == 0,
                    $"express input → \"{expressResult.Shipped}\" [{string.Join(", ", expressTypes)}]; standard input → \"{standardResult.Shipped}\" [{string.Join(", ", standardTypes)}]");

                var polls = new[] { (expressResult, expressHistory, "order-express"), (standardResult, standardHistory, "order-standard") }
                    .Select(r => (r.Item1.Polls, Recorded: ActivityEvents.Lifecycle(r.Item2, nameof(LoopActivities.CheckDelivered)).Completed, Calls: counter[$"{r.Item3}/CheckDelivered"]))
                    .ToList();
                checks.Expect(
                    "loop-until-done",
                    polls.All(p => p.Polls == DoneAtPoll && p.Recorded == DoneAtPoll && p.Calls == DoneAtPoll),
                    string.Join("; ", polls.Select(p => $"loop ran {p.Polls} polls, {p.Recorded} CheckDelivered completed in history, {p.Calls} calls")));

                var clock = Stopwatch.StartNew();
                var initial = new RunningTotal(Runs, 0, []);
                var total = await server.Client.StartWorkflowAsync(
                    (RunningTotalContinuesAsNewWorkflow w) => w.RunAsync(initial), server.Options("total", queue));
                RunningTotal? final = null;
                var failure = await Observe.FailureOfAsync(async () => final = await total.GetResultAsync());
                fact.Metric("continue_as_new_runs", final?.RunIds.Count ?? 0, "runs");
                fact.Metric("continue_as_new_elapsed_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var expectedTotal = Enumerable.Range(1, Runs).Sum(BatchActivities.AddBatch);
                checks.Expect(
                    "continue-as-new-carries-state",
                    final is not null && final.Total == expectedTotal && final.RunIds.Count == Runs && final.RunIds.Distinct().Count() == Runs && final.RunIds[0] == total.FirstExecutionRunId,
                    final is null
                        ? $"the chain failed: {Observe.DescribeChain(failure)}"
                        : $"total {final.Total} (expected {expectedTotal}) from {final.RunIds.Count} distinct runs ({final.RunIds.Distinct().Count()}), first run {Observe.Short(final.RunIds.FirstOrDefault())} = started run {Observe.Short(total.FirstExecutionRunId)}");

                // The chain as history records it, followed from the first run: each run's start (its input and the run
                // it continues) and its last event (the run it hands over to).
                var chain = new List<(string RunId, RecordedInput<RunningTotal> Input, string Predecessor, HistoryEvent Last)>();
                for (var runId = total.FirstExecutionRunId; runId is not null && chain.Count <= Runs;)
                {
                    var runHistory = await server.Client.GetWorkflowHandle(total.Id, runId).FetchHistoryAsync();
                    var last = runHistory.Events.Last();
                    chain.Add((runId, RecordedInputs.Started<RunningTotal>(runHistory), runHistory.Events.First().WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId, last));
                    runId = last.EventType == EventType.WorkflowExecutionContinuedAsNew ? last.WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId : null;
                }

                // What run i must have been started with: the batches of the runs before it, and their run ids.
                RunningTotal Handed(int i) => new(Runs, Enumerable.Range(1, i).Sum(BatchActivities.AddBatch), chain.Take(i).Select(r => r.RunId).ToList());
                static bool Same(RunningTotal? a, RunningTotal b) => a is not null && a.Runs == b.Runs && a.Total == b.Total && a.RunIds.SequenceEqual(b.RunIds);
                static string Show(RecordedInput<RunningTotal> input) => input is { Present: true, Value: { } t } ? $"total {t.Total} from {t.RunIds.Count} run(s)" : "no input";
                checks.Expect(
                    "continued-run-input-recorded",
                    chain.Count == Runs && chain.Select((r, i) => r.Input.Present && Same(r.Input.Value, Handed(i))).All(ok => ok),
                    $"{chain.Count} run(s) in the chain (expected {Runs}); started with: "
                        + string.Join("; ", chain.Select((r, i) => $"run {i + 1} {Show(r.Input)} (expected total {Handed(i).Total} from {i} run(s))")));

                var links = new List<string>();
                var chained = chain.Count == Runs && final is not null && final.RunIds.SequenceEqual(chain.Select(r => r.RunId));
                for (var i = 0; i < chain.Count; i++)
                {
                    var (_, _, predecessor, last) = chain[i];
                    var successor = last.EventType == EventType.WorkflowExecutionContinuedAsNew ? last.WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId : null;
                    chained &= predecessor == (i == 0 ? string.Empty : chain[i - 1].RunId)
                        && (i < Runs - 1 ? successor is not null : last.EventType == EventType.WorkflowExecutionCompleted);
                    links.Add($"run {i + 1}: from {Observe.Short(predecessor)} ends {last.EventType}{(successor is null ? string.Empty : " → " + Observe.Short(successor))}");
                }

                checks.Expect("run-chain-in-history", chained, string.Join("; ", links));
            });
        fact.Conclude();
    }
}
