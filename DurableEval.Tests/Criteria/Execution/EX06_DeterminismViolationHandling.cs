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
    [Criterion("EX-06")]
    public async Task EX06_DeterminismViolationHandling()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("unchanged-code-replays", "Control: the recorded shipment history replays with the code that recorded it"),
                Core("changed-code-detected", "Replaying it with reordered code raises WorkflowNondeterminismException naming the mismatched machine and recorded event"),
            ],
            async checks =>
            {
                var history = HistoryFixtures.Load(ShipmentWorkflow.Name);
                if (history is null)
                {
                    var missing = $"history file {HistoryFixtures.PathOf(ShipmentWorkflow.Name)} is missing; record it with {Settings.RecordHistoriesVariable}=1";
                    checks.NotRun("unchanged-code-replays", missing);
                    checks.NotRun("changed-code-detected", missing);
                    return;
                }

                await ExpectDivergenceDetectedAsync(checks, history, "unchanged-code-replays", "changed-code-detected");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("task-fails-run-survives", "Live, a nondeterministic replay fails the workflow task; the workflow stays open, not corrupted"),
                Core("configurable-failure", "With nondeterminism listed in FailureExceptionTypes, the workflow fails instead"),
                Core("task-retried", "The failed workflow task is retried rather than given up"),
                Edge("live-history-detected", "A history recorded live with the old code is caught by the replayer against the changed code"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("nondet");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<DivergesOnReplayWorkflow>()
                    .AddWorkflow<DivergenceFailsWorkflow>()
                    .AddWorkflow<ShipmentWorkflow>()
                    .AddActivity(ShipmentActivities.Reserve)
                    .AddActivity(ShipmentActivities.Ship));

                // This run's workflow task fails on purpose: the block's watcher must not end the block on it.
                var divergingOptions = server.Options("diverges", queue);
                server.ExpectTaskFailures(divergingOptions.Id!);
                var diverging = await server.Client.StartWorkflowAsync((DivergesOnReplayWorkflow w) => w.RunAsync(), divergingOptions);
                var failure = await HistoryProbe.WorkflowTaskFailureAsync(diverging, Observe.Bound);
                var status = (await diverging.DescribeAsync()).Status;
                checks.Expect(
                    "task-fails-run-survives",
                    failure is not null && failure.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase) && status == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{failure ?? "none within the bound"}\"; workflow {status}");

                var retried = await Eventually.HoldsAsync(() => Task.FromResult(DivergesOnReplayWorkflow.Attempts[diverging.Id] >= 3), Observe.Bound);
                checks.Expect("task-retried", retried, $"run method entered {DivergesOnReplayWorkflow.Attempts[diverging.Id]} times (first execution, then replays of the retried task)");
                await diverging.TerminateAsync("DurableEval: probe finished");

                var failing = await server.Client.StartWorkflowAsync((DivergenceFailsWorkflow w) => w.RunAsync(), server.Options("fails", queue));
                var outcome = await Observe.FailureOfAsync(() => failing.GetResultAsync());
                checks.Expect(
                    "configurable-failure",
                    outcome is WorkflowFailedException { InnerException: { } inner } && inner.Message.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase),
                    $"result: {Observe.DescribeChain(outcome)}");

                var shipment = await server.Client.StartWorkflowAsync((ShipmentWorkflow w) => w.RunAsync("order-7"), server.Options("shipment", queue));
                await shipment.GetResultAsync();
                var history = await shipment.FetchHistoryAsync();
                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ReorderedShipmentWorkflow>(), checks.Cancellation);
                checks.Expect(
                    "live-history-detected",
                    replay[0].Failure is WorkflowNondeterminismException,
                    replay[0].Failure is { } f ? HistoryProbe.Summarize(f) : "replayed cleanly against changed code (not detected)");
                HistoryFixtures.SaveIfRecording(Settings.Current, ShipmentWorkflow.Name, history);
            });
        fact.Cite(
            "Replay does not compare timer durations, activity arguments or results; only the sequence and type of commands is checked.",
            "shared/TEMPORAL-FACTS.md section 3.4 (offline-measured with Temporalio 1.21.1)");
        fact.Conclude();
    }
}
