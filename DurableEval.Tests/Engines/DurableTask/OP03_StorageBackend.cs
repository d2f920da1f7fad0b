using System.Diagnostics;
using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask.AzureStorage;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Serializing;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class AzureStorageFacts
{
    /// <summary>
    /// Temporal's OP-03 restarts a dev server on its database file; here the storage itself restarts: an Azurite of the
    /// fact's own is stopped (SIGINT: it saves its data files and exits) and started again on the same data directory while an
    /// orchestration waits for events, and a fresh TaskHubWorker finishes it from what the storage kept.
    /// </summary>
    [SkippableFact]
    [Criterion("OP-03", Engine = "durabletask")]
    public async Task OP03_StorageBackend()
    {
        string[] before = ["valve", "gasket"];
        var fact = Begin();
        await OnStorageAsync(
            fact,
            [
                Core("survives-restart", "An orchestration waiting for an event on the Azure Storage provider is still Running after the storage emulator is stopped (SIGINT, as a service restart does) and started again on the same data directory, with its history unchanged and its state (items received) intact"),
                Core("completes-after-restart", "After the restart a new TaskHubWorker finishes the run: the closing event is delivered and the result holds the items sent before and after"),
                Production("production-backend", "The same restart check on a production backend (an Azure Storage account, MSSQL, Netherite or the Durable Task Scheduler)"),
            ],
            async (_, checks) =>
            {
                var directory = Path.Combine(Path.GetTempPath(), $"durableeval-azurite-op03-{Guid.NewGuid():N}");
                Directory.CreateDirectory(directory);
                var hub = $"deop03{Guid.NewGuid():N}"[..22];
                try
                {
                    var (first, failure) = await azurite.StartDedicatedAsync(directory, Output.WriteLine);
                    if (first is null)
                    {
                        foreach (var id in new[] { "survives-restart", "completes-after-restart", "production-backend" })
                        {
                            checks.NotRun(id, $"no Azurite of its own to restart: {failure}");
                        }

                        return;
                    }

                    string instanceId;
                    int historyBefore;
                    string stopped;
                    await using (first)
                    {
                        var (service, worker) = await StartHubAsync(first.ConnectionString, hub, "op03-worker-1", checks.Cancellation);
                        var client = new TaskHubClient(service);
                        var instance = await client.CreateOrchestrationInstanceAsync(ItemsSurviveStorageRestartOrchestration.Name, ItemsSurviveStorageRestartOrchestration.Version, $"de-op03-{Guid.NewGuid():N}", "ops");
                        instanceId = instance.InstanceId;
                        foreach (var item in before)
                        {
                            await client.RaiseEventAsync(instance, ItemsSurviveStorageRestartOrchestration.ItemEvent, item);
                        }

                        await WaitForItemsAsync(client, instanceId, string.Join(",", before), checks.Cancellation);
                        historyBefore = await HistoryLengthAsync(client, instanceId);
                        await worker.StopAsync(isForced: true).WaitAsync(TimeSpan.FromSeconds(20), checks.Cancellation);
                        stopped = await first.StopGracefullyAsync();
                    }

                    // The storage is gone and comes back on the same files, on new ports.
                    var clock = Stopwatch.StartNew();
                    var (second, again) = await azurite.StartDedicatedAsync(directory, Output.WriteLine);
                    if (second is null)
                    {
                        checks.Expect("survives-restart", false, $"the storage emulator did not start again on its data directory: {again}");
                        checks.NotRun("completes-after-restart", "the storage did not come back");
                        checks.NotRun("production-backend", "the storage did not come back");
                        return;
                    }

                    fact.Metric("storage_restart_ms", clock.Elapsed.TotalMilliseconds, "ms");
                    await using (second)
                    {
                        var (service, worker) = await StartHubAsync(second.ConnectionString, hub, "op03-worker-2", checks.Cancellation, start: false);
                        var client = new TaskHubClient(service);
                        var state = await client.GetOrchestrationStateAsync(new OrchestrationInstance { InstanceId = instanceId });
                        var historyAfter = await HistoryLengthAsync(client, instanceId);
                        var items = state?.Status;
                        checks.Expect(
                            "survives-restart",
                            state?.OrchestrationStatus == OrchestrationStatus.Running && historyAfter == historyBefore && items == string.Join(",", before),
                            $"storage {stopped} and started again on its data directory; after the restart: {state?.OrchestrationStatus.ToString() ?? "no state"}, history {historyAfter} events (before: {historyBefore}), items [{items ?? "none"}]");

                        await worker.StartAsync().WaitAsync(TimeSpan.FromSeconds(30), checks.Cancellation);
                        try
                        {
                            var instance = state?.OrchestrationInstance ?? new OrchestrationInstance { InstanceId = instanceId };
                            await client.RaiseEventAsync(instance, ItemsSurviveStorageRestartOrchestration.ItemEvent, "flange");
                            await client.RaiseEventAsync(instance, ItemsSurviveStorageRestartOrchestration.CloseEvent, string.Empty);
                            var done = await client.WaitForOrchestrationAsync(instance, TimeSpan.FromSeconds(30), checks.Cancellation);
                            var result = done?.OrchestrationStatus == OrchestrationStatus.Completed ? JsonDataConverter.Default.Deserialize<string>(done.Output) : null;
                            var expected = ItemsSurviveStorageRestartOrchestration.Summary("ops", [.. before, "flange"]);
                            checks.Expect("completes-after-restart", result == expected, $"{done?.OrchestrationStatus.ToString() ?? "not done within 30 s"}, result \"{result ?? done?.Output}\" (expected \"{expected}\")");
                        }
                        finally
                        {
                            await worker.StopAsync(isForced: true).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
                        }
                    }

                    checks.NotRun("production-backend", "no Azure Storage account, SQL Server, Netherite or Durable Task Scheduler here; Azurite, the storage emulator, is the only backend available");
                }
                finally
                {
                    Directory.Delete(directory, recursive: true);
                }
            });

        fact.Cite(
            "Durable Task storage providers: Azure Storage (the default), Netherite, Microsoft SQL Server, and the Durable Task Scheduler; orchestration state and history live in the provider's storage.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-storage-providers");
        fact.Conclude();
    }

    private static async Task<(AzureStorageOrchestrationService Service, TaskHubWorker Worker)> StartHubAsync(string connectionString, string hub, string workerId, CancellationToken cancellation, bool start = true)
    {
        var service = new AzureStorageOrchestrationService(AzureStorageHub.Settings(new AzureStorageConnection(connectionString, hub), workerId));
        await service.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellation);
        var worker = new TaskHubWorker(service);
        worker.AddTaskOrchestrations(new NameValueObjectCreator<TaskOrchestration>(ItemsSurviveStorageRestartOrchestration.Name, ItemsSurviveStorageRestartOrchestration.Version, typeof(ItemsSurviveStorageRestartOrchestration)));
        if (start)
        {
            await worker.StartAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellation);
        }

        return (service, worker);
    }

    private static async Task WaitForItemsAsync(TaskHubClient client, string instanceId, string expected, CancellationToken cancellation)
    {
        var bound = Stopwatch.StartNew();
        while (bound.Elapsed < TimeSpan.FromSeconds(30))
        {
            var state = await client.GetOrchestrationStateAsync(new OrchestrationInstance { InstanceId = instanceId });
            if (state?.Status == expected)
            {
                return;
            }

            await Task.Delay(100, cancellation);
        }
    }

    private static async Task<int> HistoryLengthAsync(TaskHubClient client, string instanceId)
    {
        var state = await client.GetOrchestrationStateAsync(new OrchestrationInstance { InstanceId = instanceId });
        if (state?.OrchestrationInstance is null)
        {
            return -1;
        }

        using var history = JsonDocument.Parse(await client.GetOrchestrationHistoryAsync(state.OrchestrationInstance));
        return history.RootElement.GetArrayLength();
    }
}
