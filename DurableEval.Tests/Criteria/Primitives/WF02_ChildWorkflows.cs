using System.Globalization;
using System.Reflection;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using ClosePolicy = Temporalio.Workflows.ParentClosePolicy;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
    [SkippableFact]
    [Criterion("WF-02")]
    public async Task WF02_ChildWorkflows()
    {
        const string Input = "parcel-9";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("child-result-propagates", "A child's result reaches the parent that awaited it"),
                Core("child-failure-propagates", "A child's failure reaches the parent as ChildWorkflowFailureException wrapping the original ApplicationFailureException (type, message)"),
                Core("child-events-recorded", "The parent's history records StartChildWorkflowExecutionInitiated, ChildWorkflowExecutionStarted and ChildWorkflowExecutionCompleted/Failed"),
                Edge("child-knows-parent", "The child sees its parent's workflow id in its own workflow info"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("children");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ChildOutcomesReachParentWorkflow>()
                    .AddWorkflow<EchoChildWorkflow>()
                    .AddWorkflow<RefusingChildWorkflow>());

                var handle = await server.Client.StartWorkflowAsync((ChildOutcomesReachParentWorkflow w) => w.RunAsync(Input), server.Options("parent", queue));
                var outcomes = await handle.GetResultAsync();
                checks.Expect("child-result-propagates", outcomes.Result.StartsWith($"echo:{Input}|", StringComparison.Ordinal), $"parent got \"{outcomes.Result}\"");

                var failure = outcomes.Failure;
                checks.Expect(
                    "child-failure-propagates",
                    failure is { ExceptionType: nameof(ChildWorkflowFailureException), InnerType: nameof(ApplicationFailureException), InnerErrorType: RefusingChildWorkflow.ErrorType }
                        && failure.InnerMessage == $"child refused {Input}",
                    failure is null
                        ? "the parent saw no failure"
                        : $"parent caught {failure.ExceptionType} (child {failure.ChildId}, retry state {failure.RetryState}) wrapping {failure.InnerType} [{failure.InnerErrorType}] \"{failure.InnerMessage}\"");

                var history = await handle.FetchHistoryAsync();
                var initiated = HistoryProbe.Count(history, EventType.StartChildWorkflowExecutionInitiated);
                var started = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionStarted);
                var completed = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionCompleted);
                var failed = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionFailed);
                checks.Expect(
                    "child-events-recorded",
                    initiated == 2 && started == 2 && completed == 1 && failed == 1,
                    $"StartChildWorkflowExecutionInitiated {initiated}, ChildWorkflowExecutionStarted {started}, ChildWorkflowExecutionCompleted {completed}, ChildWorkflowExecutionFailed {failed}");

                checks.Expect("child-knows-parent", outcomes.Result.EndsWith($"|parent={handle.Id}", StringComparison.Ordinal), $"child reported \"{outcomes.Result}\"; parent id {handle.Id}");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Edge("close-terminate", "A child started with ParentClosePolicy.Terminate is terminated when its parent completes"),
                Edge("close-abandon", "A child started with ParentClosePolicy.Abandon keeps running after its parent completes, and still finishes when released"),
                Edge("close-request-cancel", "A child started with ParentClosePolicy.RequestCancel is asked to cancel, cleans up, and ends Canceled"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("close");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ParentClosePoliciesWorkflow>()
                    .AddWorkflow<WaitsForReleaseChildWorkflow>());

                var parent = await server.Client.StartWorkflowAsync((ParentClosePoliciesWorkflow w) => w.RunAsync(), server.Options("close-parent", queue));
                var ids = await parent.GetResultAsync();
                foreach (var id in ids.Values)
                {
                    server.Track(id);
                }

                async Task<WorkflowExecutionStatus?> StatusAsync(string policy) =>
                    ids.TryGetValue(policy, out var id) ? (await server.Client.GetWorkflowHandle(id).DescribeAsync()).Status : null;

                var terminated = await Eventually.HoldsAsync(async () => await StatusAsync(nameof(ClosePolicy.Terminate)) == WorkflowExecutionStatus.Terminated, Observe.Bound);
                checks.Expect("close-terminate", terminated, $"Terminate child: {await StatusAsync(nameof(ClosePolicy.Terminate))}");

                var cancelled = await Eventually.HoldsAsync(async () => await StatusAsync(nameof(ClosePolicy.RequestCancel)) == WorkflowExecutionStatus.Canceled, Observe.Bound);
                var cleanedUp = cancelled && await server.Client.GetWorkflowHandle<WaitsForReleaseChildWorkflow>(ids[nameof(ClosePolicy.RequestCancel)]).QueryAsync(w => w.CleanedUp);
                checks.Expect(
                    "close-request-cancel",
                    cancelled && cleanedUp,
                    $"RequestCancel child: {await StatusAsync(nameof(ClosePolicy.RequestCancel))}; cleanup ran: {cleanedUp}");

                // Judged after the other two settled, so "still running" is not just "not reached yet".
                var abandonedStatus = await StatusAsync(nameof(ClosePolicy.Abandon));
                var released = "not released";
                if (abandonedStatus == WorkflowExecutionStatus.Running)
                {
                    var abandoned = server.Client.GetWorkflowHandle<WaitsForReleaseChildWorkflow>(ids[nameof(ClosePolicy.Abandon)]);
                    await abandoned.SignalAsync(w => w.ReleaseAsync());
                    released = await abandoned.GetResultAsync<string>();
                }

                checks.Expect(
                    "close-abandon",
                    abandonedStatus == WorkflowExecutionStatus.Running && released == "released",
                    $"Abandon child after the parent completed: {abandonedStatus}; after the release signal it returned \"{released}\"");
            });
        fact.Cite(
            "The time-skipping test server does not enforce parent close policies: children stay running after the parent closes, so those checks need a dev server.",
            "https://github.com/temporalio/sdk-java/issues/1079");
        fact.Conclude();
    }
}
