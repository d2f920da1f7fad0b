using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using ApiExecution = Temporalio.Api.Common.V1.WorkflowExecution;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-05")]
    public async Task OP05_DataRetention()
    {
        var retention = TimeSpan.FromDays(3);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Core("retention-reported", "A namespace registered with a 3-day retention period reports exactly 3 days back from DescribeNamespace"),
                Core("delete-closed", "DeleteWorkflowExecution of a closed run removes it: describe then fails with NotFound"),
                Edge("retention-updated", "UpdateNamespace changes the retention (to 1 day) and describe reports the new value"),
                Production("expiry-archival", "Closed runs disappear after the retention period, and archival copies them to long-term storage first"),
            ],
            async (server, checks) =>
            {
                var ns = server.NewId("retention");
                var service = server.Client.WorkflowService;
                // Temporal Cloud (and clusters that restrict it) refuse registration to a client: "not run", never failed.
                if (!await checks.FirstUseAsync(server, ServerFeature.NamespaceRegistration, "RegisterNamespace", () => service.RegisterNamespaceAsync(new RegisterNamespaceRequest { Namespace = ns, WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(retention) }), Output.WriteLine))
                {
                    return;
                }

                var startable = await NamespaceReady.WaitUntilStartableAsync(server, ns, checks.Cancellation);
                fact.Metric("namespace_ready_ms", startable.TotalMilliseconds, "ms");
                // Starts already succeed in the namespace (above), so one describe sees it.
                var described = await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ns });
                var reported = described.Config?.WorkflowExecutionRetentionTtl?.ToTimeSpan();
                checks.Expect("retention-reported", reported == retention, $"registered {retention.TotalDays} days; describe reports {reported?.TotalDays.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} days");

                await service.UpdateNamespaceAsync(new UpdateNamespaceRequest
                {
                    Namespace = ns,
                    Config = new Temporalio.Api.Namespace.V1.NamespaceConfig { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(1)) },
                });
                var updated = (await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ns })).Config?.WorkflowExecutionRetentionTtl?.ToTimeSpan();
                checks.Expect("retention-updated", updated == TimeSpan.FromDays(1), $"after update describe reports {updated?.TotalDays.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} days");

                var queue = server.NewTaskQueue("retention");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var handle = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("cleanup"), server.Options("cleanup", queue));
                await handle.SignalAsync(w => w.CloseAsync());
                await handle.GetResultAsync();
                await service.DeleteWorkflowExecutionAsync(new DeleteWorkflowExecutionRequest
                {
                    Namespace = server.Client.Options.Namespace,
                    WorkflowExecution = new ApiExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId },
                });
                Exception? after = null;
                var gone = await Eventually.HoldsAsync(
                    async () => (after = await Observe.FailureOfAsync(() => handle.DescribeAsync())) is RpcException { Code: RpcException.StatusCode.NotFound },
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("delete-closed", gone, $"describe after delete: {Observe.Describe(after)}");
                checks.NotRun("expiry-archival", "the minimum retention is one day and a dev server cannot skip real time, so expiry is not observable in a run; archival needs a configured archival provider (S3, GCS, filestore)");
            });

        fact.Cite("Retention period: closed workflow executions are kept for the namespace's retention period, then deleted", "https://docs.temporal.io/temporal-service/temporal-server#retention-period");
        fact.Cite("Archival moves histories and visibility records to long-term storage (S3, GCS, filestore) before retention deletes them", "https://docs.temporal.io/temporal-service/archival");
        fact.Conclude();
    }
}
