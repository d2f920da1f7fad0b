using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-04")]
    public async Task OP04_Scalability()
    {
        const int SharedItems = 60;
        const int Workers = 3;
        const int ThroughputItems = 24;
        const int WorkMs = 50;
        const int SlotsPerWorker = 2;
        var fact = Begin();
        fact.Finding("Temporalio 1.21.1 refuses a second worker for the same namespace and task queue on one client connection (\"Registration of multiple workers with overlapping worker task types ... not allowed\"); workers that share a queue need their own connections, as separate processes have");
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("all-complete", $"A batch of {SharedItems} activities on one task queue served by {Workers} workers completes: every item has a result"),
                Core("each-takes-some", $"Each of the {Workers} workers (distinct identities) runs some of the batch, and the history's ActivityTaskStarted identities agree with the workers' own reports"),
                Edge("throughput-scales", $"With {SlotsPerWorker} activity slots per worker and {WorkMs} ms of I/O per item, 2 workers finish a {ThroughputItems}-item batch at more than 1.2x the rate of 1 worker, measured side by side"),
                Production("server-scaling", "Server-side horizontal scaling (task-queue partitions, history shards, more frontend/matching hosts)"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("shared");
                var names = Enumerable.Range(1, Workers).Select(i => $"durableeval-worker-{i}").ToList();
                // One connection per worker, as separate worker processes would have: the SDK refuses a second worker for
                // the same queue on one client ("Registration of multiple workers ... not allowed").
                var clients = new List<Temporalio.Client.TemporalClient>();
                foreach (var _ in names)
                {
                    clients.Add(await RuntimeClients.ConnectAsync(server, runtime: null));
                }

                var workers = names.Select((n, i) => RunningWorker.Start(clients[i], new TemporalWorkerOptions(queue)
                {
                    Identity = n,
                    MaxConcurrentActivities = SlotsPerWorker,
                }.AddWorkflow<SharedBatchWorkflow>().AddAllActivities(new BatchItemActivities(n)))).ToList();
                IReadOnlyList<string> ranBy;
                Temporalio.Common.WorkflowHistory history;
                try
                {
                    var handle = await server.Client.StartWorkflowAsync((SharedBatchWorkflow w) => w.RunAsync(SharedItems, WorkMs), server.Options("shared", queue));
                    ranBy = await handle.GetResultAsync();
                    history = await handle.FetchHistoryAsync();
                }
                finally
                {
                    foreach (var worker in workers)
                    {
                        await worker.DisposeAsync();
                    }
                }

                var reported = names.ToDictionary(n => n, n => ranBy.Count(r => r == n));
                var identities = ActivityEvents.StartedIdentities(history);
                var recorded = names.ToDictionary(n => n, n => identities.Count(i => i == n));
                var split = string.Join(", ", names.Select(n => $"{n}: {reported[n]} (history {recorded[n]})"));
                checks.Expect("all-complete", ranBy.Count == SharedItems && ranBy.All(names.Contains), $"{ranBy.Count} of {SharedItems} items returned a worker name");
                checks.Expect(
                    "each-takes-some",
                    names.All(n => reported[n] > 0) && names.All(n => reported[n] == recorded[n]),
                    $"split {split}");
                foreach (var n in names)
                {
                    fact.Metric($"share_{n[^1]}_of_{Workers}", reported[n], "items");
                }

                async Task<double> RateAsync(int count, string purpose)
                {
                    var q = server.NewTaskQueue(purpose);
                    var own = new List<Temporalio.Client.TemporalClient>();
                    for (var i = 0; i < count; i++)
                    {
                        own.Add(await RuntimeClients.ConnectAsync(server, runtime: null));
                    }

                    var pool = Enumerable.Range(1, count).Select(i => RunningWorker.Start(own[i - 1], new TemporalWorkerOptions(q)
                    {
                        Identity = $"{purpose}-{i}",
                        MaxConcurrentActivities = SlotsPerWorker,
                    }.AddWorkflow<SharedBatchWorkflow>().AddAllActivities(new BatchItemActivities($"{purpose}-{i}")))).ToList();
                    try
                    {
                        var clock = Stopwatch.StartNew();
                        await server.Client.ExecuteWorkflowAsync((SharedBatchWorkflow w) => w.RunAsync(ThroughputItems, WorkMs), server.Options(purpose, q));
                        return ThroughputItems / clock.Elapsed.TotalSeconds;
                    }
                    finally
                    {
                        foreach (var worker in pool)
                        {
                            await worker.DisposeAsync();
                        }
                    }
                }

                // Interleaved and best of two each, so neither side carries the warm-up or a burst of load from other processes.
                var two = await RateAsync(2, "two-workers");
                var one = await RateAsync(1, "one-worker");
                two = Math.Max(two, await RateAsync(2, "two-workers"));
                one = Math.Max(one, await RateAsync(1, "one-worker"));
                fact.Metric("throughput_1_worker_items_per_s", one, "items/s");
                fact.Metric("throughput_2_workers_items_per_s", two, "items/s");
                fact.Metric("throughput_ratio_2_over_1", two / one, "x");
                checks.Expect(
                    "throughput-scales",
                    two > one * 1.2,
                    $"1 worker {one.ToString("0.0", CultureInfo.InvariantCulture)} items/s, 2 workers {two.ToString("0.0", CultureInfo.InvariantCulture)} items/s "
                        + $"(x{(two / one).ToString("0.00", CultureInfo.InvariantCulture)}; ideal x2 when slots bound, on a shared 2-core machine)");
                checks.NotRun("server-scaling", $"one {ServerNames.Of(server.Kind)} process here; task-queue partitions and history shards scale on a full cluster, documented only");
            });

        fact.Cite("Workers scale horizontally: any number of worker processes poll the same task queue and the server load-balances tasks among them", "https://docs.temporal.io/workers#worker-scaling");
        fact.Cite("A Temporal cluster scales its services (frontend, history, matching) independently; history shards and task-queue partitions spread load", "https://docs.temporal.io/self-hosted-guide/production-checklist");
        fact.Conclude();
    }
}
