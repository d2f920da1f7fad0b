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
                var final = await total.GetResultAsync();
                fact.Metric("continue_as_new_runs", final.RunIds.Count, "runs");
                fact.Metric("continue_as_new_elapsed_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var expectedTotal = Enumerable.Range(1, Runs).Sum(BatchActivities.AddBatch);
                checks.Expect(
                    "continue-as-new-carries-state",
                    final.Total == expectedTotal && final.RunIds.Count == Runs && final.RunIds.Distinct().Count() == Runs && final.RunIds[0] == total.FirstExecutionRunId,
                    $"total {final.Total} (expected {expectedTotal}) from {final.RunIds.Count} distinct runs ({final.RunIds.Distinct().Count()}), first run {Observe.Short(final.RunIds.FirstOrDefault())} = started run {Observe.Short(total.FirstExecutionRunId)}");

                var links = new List<string>();
                var chained = final.RunIds.Count == Runs;
                for (var i = 0; chained && i < Runs; i++)
                {
                    var runHistory = await server.Client.GetWorkflowHandle(total.Id, final.RunIds[i]).FetchHistoryAsync();
                    var predecessor = runHistory.Events.First().WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId;
                    var last = runHistory.Events.Last();
                    var successor = last.EventType == EventType.WorkflowExecutionContinuedAsNew ? last.WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId : null;
                    chained &= predecessor == (i == 0 ? string.Empty : final.RunIds[i - 1])
                        && (i < Runs - 1 ? successor == final.RunIds[i + 1] : last.EventType == EventType.WorkflowExecutionCompleted);
                    links.Add($"run {i + 1}: from {Observe.Short(predecessor)} ends {last.EventType}{(successor is null ? string.Empty : " → " + Observe.Short(successor))}");
                }

                checks.Expect("run-chain-in-history", chained, string.Join("; ", links));
            });
        fact.Conclude();
    }
}
