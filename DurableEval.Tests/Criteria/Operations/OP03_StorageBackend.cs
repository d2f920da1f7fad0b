using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Temporalio.Api.Enums.V1;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-03")]
    public async Task OP03_StorageBackend()
    {
        string[] before = ["valve", "gasket"];
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.RestartableDev,
            [
                Core("survives-restart", "A workflow waiting for a signal on a dev server backed by a SQLite file is still Running after the server process is stopped and started again on the same file, with its state (signalled items) intact"),
                Core("completes-after-restart", "After the restart a new worker finishes the run: the closing signal is delivered and the result holds the items signalled before and after"),
                Production("production-backend", "The same restart check on a production persistence backend (PostgreSQL, MySQL or Cassandra)"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("persist");

                // No workflow cache: the restarted server must hand the run to a fresh worker from history alone.
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }.AddWorkflow<ManagedLifecycleWorkflow>();
                var options = server.Options("persist", queue);
                await using (var first = RunningWorker.Start(server.Client, Options()))
                {
                    var handle = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("ops"), options);
                    foreach (var item in before)
                    {
                        await handle.SignalAsync(w => w.AddItemAsync(item));
                    }

                    await WaitForStateAsync(handle, s => s.Items.Count == before.Length, checks.Cancellation);
                }

                // Nothing is pending once the first worker stopped (its last task completed and no timer runs), so
                // the restart must bring back exactly the history it stopped with: equality, not "at least".
                var historyBefore = (await server.Client.GetWorkflowHandle(options.Id!).FetchHistoryAsync()).Events.Count;
                await server.RestartServerAsync();
                var restarted = server.Client.GetWorkflowHandle<ManagedLifecycleWorkflow, string>(options.Id!);
                var described = await restarted.DescribeAsync();
                var historyAfter = (await restarted.FetchHistoryAsync()).Events.Count;
                await using var second = RunningWorker.Start(server.Client, Options());
                var state = await WaitForStateAsync(restarted, s => s.Items.Count == before.Length, checks.Cancellation);
                checks.Expect(
                    "survives-restart",
                    described.Status == WorkflowExecutionStatus.Running && historyAfter == historyBefore && state.Items.SequenceEqual(before),
                    $"after restart: status {described.Status}, history {historyAfter} events (before: {historyBefore}), items [{string.Join(",", state.Items)}]");

                await restarted.SignalAsync(w => w.AddItemAsync("flange"));
                await restarted.SignalAsync(w => w.CloseAsync());
                var result = await restarted.GetResultAsync();
                var expected = ManagedLifecycleWorkflow.Summary("ops", [.. before, "flange"], 0);
                checks.Expect("completes-after-restart", result == expected, $"result \"{result}\" (expected \"{expected}\")");
                checks.NotRun("production-backend", "no PostgreSQL, MySQL or Cassandra cluster here; the dev server's SQLite file is the only persistent store available");
            });

        fact.Cite("Temporal Server persists to Cassandra, MySQL or PostgreSQL (SQLite for development), with advanced visibility on Elasticsearch or SQL", "https://docs.temporal.io/self-hosted-guide/visibility");
        fact.Cite("Supported persistence backends and versions", "https://docs.temporal.io/self-hosted-guide/defaults");
        fact.Cite("The SDK exposes no storage API: persistence is entirely the server's", "https://docs.temporal.io/temporal-service/persistence");
        fact.Conclude();
    }
}
