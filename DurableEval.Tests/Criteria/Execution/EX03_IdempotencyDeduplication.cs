using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    [SkippableFact]
    [Criterion("EX-03")]
    public async Task EX03_IdempotencyDeduplication()
    {
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("duplicate-start-rejected", "Starting a second run with a running workflow's id throws WorkflowAlreadyStartedException"),
                Core("use-existing", "Id conflict policy UseExisting returns the running run instead of starting another"),
                Core("signal-with-start-existing", "Signal-with-start on a running id delivers the signal to that run"),
                Core("reject-duplicate-after-close", "Id reuse policy RejectDuplicate refuses a closed workflow's id"),
                Edge("update-id-deduplicated", "An update sent twice with the same update id runs its handler once"),
                Edge("terminate-existing", "Id conflict policy TerminateExisting ends the old run and starts a new one"),
                Edge("failed-only-after-success", "Id reuse policy AllowDuplicateFailedOnly refuses the id of a run that succeeded"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("dedup");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<DeduplicatedOrderWorkflow>());
                var options = server.Options("order", queue);
                var first = await server.Client.StartWorkflowAsync((DeduplicatedOrderWorkflow w) => w.RunAsync(), options);

                // Wait for the first task to finish: on the time-skipping server, ending a run before that freezes the clock.
                await Eventually.HoldsAsync(async () => await first.QueryAsync(w => w.Items) == 0, Observe.Bound);

                var duplicate = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync((DeduplicatedOrderWorkflow w) => w.RunAsync(), (WorkflowOptions)options.Clone()));
                checks.Expect("duplicate-start-rejected", duplicate is WorkflowAlreadyStartedException, $"second start: {Observe.Describe(duplicate)}");

                var existing = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting));
                var firstStatus = (await first.DescribeAsync()).Status;
                checks.Expect(
                    "use-existing",
                    existing.ResultRunId == first.ResultRunId && firstStatus == WorkflowExecutionStatus.Running,
                    $"run id {Observe.Short(existing.ResultRunId)} vs first {Observe.Short(first.ResultRunId)}; first run {firstStatus}");

                var signalled = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(),
                    With(options, o => o.SignalWithStart((DeduplicatedOrderWorkflow w) => w.AddItemAsync())));
                var items = await first.QueryAsync(w => w.Items);
                checks.Expect(
                    "signal-with-start-existing",
                    signalled.ResultRunId == first.ResultRunId && items == 1,
                    $"signal-with-start run id {Observe.Short(signalled.ResultRunId)} vs first {Observe.Short(first.ResultRunId)}; items in first run {items}");

                var updateOptions = new WorkflowUpdateOptions($"reserve-{Guid.NewGuid():N}");
                var one = await first.ExecuteUpdateAsync(w => w.ReserveAsync(), updateOptions);
                var two = await first.ExecuteUpdateAsync(w => w.ReserveAsync(), updateOptions);
                var reservations = await first.QueryAsync(w => w.Reservations);
                checks.Expect("update-id-deduplicated", reservations == 1 && one == 1 && two == 1, $"update results {one} and {two}; handler ran {reservations} time(s)");

                var replacement = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdConflictPolicy = WorkflowIdConflictPolicy.TerminateExisting));
                var oldStatus = (await server.Client.GetWorkflowHandle(first.Id, first.ResultRunId).DescribeAsync()).Status;
                checks.Expect(
                    "terminate-existing",
                    replacement.ResultRunId != first.ResultRunId && oldStatus == WorkflowExecutionStatus.Terminated,
                    $"new run {Observe.Short(replacement.ResultRunId)}; old run {oldStatus}");

                await Eventually.HoldsAsync(async () => await replacement.QueryAsync(w => w.Items) == 0, Observe.Bound);
                await replacement.SignalAsync(w => w.FinishAsync());
                await replacement.GetResultAsync();

                var rejected = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate)));
                checks.Expect("reject-duplicate-after-close", rejected is WorkflowAlreadyStartedException, $"start after close with RejectDuplicate: {Observe.Describe(rejected)}");

                var failedOnly = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicateFailedOnly)));
                checks.Expect("failed-only-after-success", failedOnly is WorkflowAlreadyStartedException, $"start after success with AllowDuplicateFailedOnly: {Observe.Describe(failedOnly)}");
            });
        fact.Conclude();
    }
}
