using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-07")]
    public async Task OP07_MultiTenantIsolation()
    {
        var fact = Begin();

        // Measured, never passed: the time-skipping server accepts any namespace and keeps no boundary. Recorded as
        // findings; the isolation checks below need a server with real namespaces.
        await fact.LiveAsync(ServerNeed.TimeSkipping, [], async (server, _) =>
        {
            var ghost = server.NewId("unregistered-ns");
            var options = (TemporalClientOptions)server.Client.Options.Clone();
            options.Namespace = ghost;
            var ghostClient = new TemporalClient(server.Client.Connection, options);
            var queue = server.NewTaskQueue("ghost");
            await using var worker = RunningWorker.Start(ghostClient, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
            var started = await Observe.FailureOfAsync(async () =>
            {
                var handle = await ghostClient.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("ghost"), new WorkflowOptions(server.NewId("ghost"), queue) { ExecutionTimeout = ServerLease.DefaultExecutionTimeout });
                await handle.SignalAsync(w => w.CloseAsync());
                await handle.GetResultAsync();
            });
            var describe = await Observe.FailureOfAsync(() => server.Client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ghost }));
            fact.Finding($"Time-skipping server: a workflow in the never-registered namespace \"{ghost[..Math.Min(ghost.Length, 30)]}...\" ran to completion ({Observe.Describe(started)}); describing that namespace gave {Observe.Describe(describe)}. The test server neither validates nor isolates namespaces, so isolation is checked only on a dev server or cluster");
        });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Core("same-id-both", "The same workflow id runs independently in two registered namespaces, each with its own run"),
                Core("cannot-see-other", "A client of tenant A describing or signalling an id that exists only in tenant B gets NotFound, and B's run never receives A's signal"),
                Core("worker-confined", "A worker of tenant A never receives tenant B's tasks: with only A's worker running, B's run (same id, same task-queue name) has no workflow task started"),
                Edge("terminate-confined", "An operation is confined to its namespace: terminating tenant A's run leaves tenant B's run with the same id running"),
            ],
            async (server, checks) =>
            {
                var service = server.Client.WorkflowService;
                var tenants = new[] { server.NewId("tenant-a"), server.NewId("tenant-b") };
                foreach (var ns in tenants)
                {
                    // Temporal Cloud (and clusters that restrict it) refuse registration to a client: "not run", never failed.
                    if (!await checks.FirstUseAsync(server, ServerFeature.NamespaceRegistration, "RegisterNamespace", () => service.RegisterNamespaceAsync(new RegisterNamespaceRequest { Namespace = ns, WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)) }), Output.WriteLine))
                    {
                        return;
                    }
                }

                // A registered namespace serves starts only once every frontend and history host has loaded it.
                foreach (var ns in tenants)
                {
                    await NamespaceReady.WaitUntilStartableAsync(server, ns, checks.Cancellation);
                }

                TemporalClient ClientOf(string ns)
                {
                    var options = (TemporalClientOptions)server.Client.Options.Clone();
                    options.Namespace = ns;
                    return new TemporalClient(server.Client.Connection, options);
                }

                var a = ClientOf(tenants[0]);
                var b = ClientOf(tenants[1]);

                var queue = server.NewTaskQueue("tenant");
                var id = server.NewId("shared-id");
                var options = new WorkflowOptions(id, queue) { ExecutionTimeout = ServerLease.DefaultExecutionTimeout };
                await using var workerA = RunningWorker.Start(a, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var runA = await a.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("tenant-a"), options);
                var runB = await b.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("tenant-b"), options);
                await WaitForStateAsync(runA, s => s.Owner == "tenant-a", checks.Cancellation);
                checks.Expect(
                    "same-id-both",
                    runA.ResultRunId != runB.ResultRunId && runA.ResultRunId is not null && runB.ResultRunId is not null,
                    $"id {id[^8..]} started in both: run {Observe.Short(runA.ResultRunId)} in A, {Observe.Short(runB.ResultRunId)} in B");

                var onlyInB = server.NewId("only-b");
                await b.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("b-only"), new WorkflowOptions(onlyInB, queue) { ExecutionTimeout = ServerLease.DefaultExecutionTimeout });
                var describeFromA = await Observe.FailureOfAsync(() => a.GetWorkflowHandle(onlyInB).DescribeAsync());
                var signalFromA = await Observe.FailureOfAsync(() => a.GetWorkflowHandle<ManagedLifecycleWorkflow>(onlyInB).SignalAsync(w => w.AddItemAsync("from-a")));
                await runA.SignalAsync(w => w.AddItemAsync("for-a"));
                var bHistory = await runB.FetchHistoryAsync();
                var bSignals = HistoryProbe.Count(bHistory, EventType.WorkflowExecutionSignaled);
                checks.Expect(
                    "cannot-see-other",
                    describeFromA is RpcException { Code: RpcException.StatusCode.NotFound } && signalFromA is RpcException { Code: RpcException.StatusCode.NotFound } && bSignals == 0,
                    $"from A: describe of B's id {Observe.Describe(describeFromA)}; signal {Observe.Describe(signalFromA)}; B's same-id run holds {bSignals} signal(s) after A's was signalled");

                var bStarted = HistoryProbe.Count(bHistory, EventType.WorkflowTaskStarted);
                checks.Expect(
                    "worker-confined",
                    bStarted == 0 && (await runA.QueryAsync(w => w.State)).Owner == "tenant-a",
                    $"with only A's worker polling queue {queue[^8..]} in both namespaces, B's run has {bStarted} workflow task(s) started; A's run answered its query");
                // Next level: not only reads and signals but a destructive operation stays inside its namespace.
                await runA.TerminateAsync("DurableEval: isolation checked");
                var aAfter = (await runA.DescribeAsync()).Status;
                var bAfter = (await runB.DescribeAsync()).Status;
                checks.Expect(
                    "terminate-confined",
                    aAfter == WorkflowExecutionStatus.Terminated && bAfter == WorkflowExecutionStatus.Running,
                    $"after tenant A terminated id {id[^8..]}: A's run is {aAfter}, B's run with the same id is {bAfter}");
                await runB.TerminateAsync("DurableEval: isolation checked");
            });

        fact.Cite("A namespace is the unit of isolation: workflow ids, task queues, retention and access are per namespace", "https://docs.temporal.io/namespaces");
        fact.Cite("Temporal Cloud isolates tenants per namespace with mTLS or API keys and per-namespace rate limits", "https://docs.temporal.io/cloud/namespaces");
        fact.Conclude();
    }
}
