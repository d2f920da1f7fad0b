using System.Diagnostics;
using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Performance;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class PerformanceFacts
{
    [SkippableFact]
    [Criterion("PF-02")]
    public async Task PF02_FanOutThroughput()
    {
        const string Id = "PF-02";
        int[] fanOuts = [100, 500];
        int[] concurrencyLevels = [1, 4, 16];
        const int WorkflowsPerLevel = 16;
        const int PendingBeyondLimit = 2_100;
        var minRate = CriterionThresholds.Get(Id, "activities_per_second_min");
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("fanout-100-complete", "A workflow fanning out 100 activities gets all 100 results back, each its own, none failed"),
                Core("fanout-500-complete", "The same with 500 activities"),
                Edge("concurrency-raises-throughput", $"Concurrent starts ({string.Join(" or ", concurrencyLevels.Skip(1))} in flight) reach more workflows per second than one at a time (same run)"),
                Edge("rate-within-threshold", $"The 100-activity fan-out runs at ≥ {minRate.Value.ToString(CultureInfo.InvariantCulture)} activities/s (DurableEval's threshold)"),
            ],
            async (server, checks) =>
            {
                var clock = new StepClock();
                var queue = server.NewTaskQueue("fanout");
                var options = new TemporalWorkerOptions(queue)
                    .AddWorkflow<FanOutActivitiesWorkflow>()
                    .AddWorkflow<SequentialStepsWorkflow>()
                    .AddAllActivities(clock);
                await using var worker = RunningWorker.Start(server.Client, options);

                // Warm-up, discarded: a small fan-out and a few one-step workflows.
                await server.Client.ExecuteWorkflowAsync((FanOutActivitiesWorkflow w) => w.RunAsync(10), server.Options("warmup-fanout", queue));
                for (var i = 0; i < 4; i++)
                {
                    await server.Client.ExecuteWorkflowAsync((SequentialStepsWorkflow w) => w.RunAsync(1, false), server.Options("warmup-start", queue));
                }

                var rates = new Dictionary<int, double>();
                foreach (var n in fanOuts)
                {
                    var wfOptions = server.Options($"fanout{n}", queue);
                    var watch = Stopwatch.StartNew();
                    var handle = await server.Client.StartWorkflowAsync((FanOutActivitiesWorkflow w) => w.RunAsync(n), wfOptions);
                    var results = await handle.GetResultAsync();
                    var seconds = watch.Elapsed.TotalSeconds;
                    var history = await handle.FetchHistoryAsync();
                    var completed = HistoryProbe.Count(history, EventType.ActivityTaskCompleted);
                    var failed = HistoryProbe.Count(history, EventType.ActivityTaskFailed) + HistoryProbe.Count(history, EventType.ActivityTaskTimedOut);
                    var ownResults = results.Length == n && results.Order().SequenceEqual(Enumerable.Range(0, n));
                    rates[n] = n / seconds;
                    checks.Expect(
                        $"fanout-{n}-complete",
                        ownResults && completed == n && failed == 0,
                        string.Create(CultureInfo.InvariantCulture, $"{results.Length} results, {(ownResults ? "each index 0..N-1 once" : "indexes missing or repeated")}; history {completed} ActivityTaskCompleted, {failed} failed or timed out; {seconds * 1000:0} ms wall = {n / seconds:0} activities/s"));
                    fact.Metric(
                        $"fanout_{n}_activities_per_second",
                        n / seconds,
                        "activities/s",
                        PerformanceMethod.Method(server, options, n, 1, 1, $"N / wall time from start to result of one workflow scheduling all N activities in one workflow task; warm-up: a 10-activity fan-out"));
                }

                checks.Expect(
                    "rate-within-threshold",
                    rates[100] >= minRate.Value,
                    string.Create(CultureInfo.InvariantCulture, $"100-activity fan-out at {rates[100]:0} activities/s"));

                var table = new List<string>();
                var throughput = new Dictionary<int, double>();
                foreach (var level in concurrencyLevels)
                {
                    using var gate = new SemaphoreSlim(level);
                    var latencies = new double[WorkflowsPerLevel];
                    var watch = Stopwatch.StartNew();
                    await Task.WhenAll(Enumerable.Range(0, WorkflowsPerLevel).Select(async i =>
                    {
                        await gate.WaitAsync(checks.Cancellation);
                        try
                        {
                            var one = Stopwatch.StartNew();
                            // Waits through a plain handle: the time-skipping server's result wrapper serializes
                            // concurrent waits (measured: ~1.2 s each at 16 in flight), which is the test harness, not Temporal.
                            var started = await server.Client.StartWorkflowAsync((SequentialStepsWorkflow w) => w.RunAsync(1, false), server.Options($"c{level}-{i}", queue));
                            await server.Client.GetWorkflowHandle(started.Id).GetResultAsync<int>();
                            latencies[i] = one.Elapsed.TotalMilliseconds;
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                    var rate = WorkflowsPerLevel / watch.Elapsed.TotalSeconds;
                    var summary = LatencyStatistics.Summarize(latencies);
                    throughput[level] = rate;
                    table.Add(string.Create(CultureInfo.InvariantCulture, $"{level} in flight: {rate:0.#} workflows/s, latency p50 {summary.P50:0.#} ms, p95 {summary.P95:0.#} ms"));
                    var method = PerformanceMethod.Method(server, options, WorkflowsPerLevel, 4, 1, $"{WorkflowsPerLevel} one-activity workflows, at most {level} in flight (start to result); warm-up: 4 sequential workflows");
                    fact.Metric($"workflows_per_second_c{level}", rate, "workflows/s", method);
                    fact.Metric($"workflow_latency_p50_ms_c{level}", summary.P50, "ms", method);
                    fact.Metric($"workflow_latency_p95_ms_c{level}", summary.P95, "ms", method);
                }

                checks.Expect(
                    "concurrency-raises-throughput",
                    concurrencyLevels.Skip(1).Max(l => throughput[l]) > throughput[concurrencyLevels[0]],
                    string.Create(CultureInfo.InvariantCulture, $"workflows/s by concurrency: {string.Join(", ", throughput.Select(t => $"{t.Key}: {t.Value:0.#}"))}"));
                fact.Finding($"Latency against load ({WorkflowsPerLevel} one-activity workflows per level): {string.Join("; ", table)}.");
            });

        // A real server refuses more than 2,000 pending activities per workflow; the time-skipping server has no such limit.
        await fact.LiveAsync(
            ServerNeed.Full,
            [Production("pending-limit-named", $"A workflow keeping {PendingBeyondLimit} activities pending fails its workflow task with the cause that names the limit")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("pending");
                var idle = server.NewTaskQueue("idle");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<PendingActivitiesBeyondLimitWorkflow>());
                var pendingOptions = server.Options("pending", queue);

                // Its workflow task fails on purpose (the limit): the run watcher must not end the block on it.
                server.ExpectTaskFailures(pendingOptions.Id!);
                var handle = await server.Client.StartWorkflowAsync((PendingActivitiesBeyondLimitWorkflow w) => w.RunAsync(PendingBeyondLimit, idle), pendingOptions);
                WorkflowTaskFailedCause? cause = null;
                string? message = null;
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        var failure = HistoryProbe.FirstOf(await handle.FetchHistoryAsync(), EventType.WorkflowTaskFailed)?.WorkflowTaskFailedEventAttributes;
                        cause = failure?.Cause;
                        message = failure?.Failure?.Message;
                        return failure is not null;
                    },
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect(
                    "pending-limit-named",
                    cause == WorkflowTaskFailedCause.PendingActivitiesLimitExceeded,
                    $"WorkflowTaskFailed cause {cause?.ToString() ?? "none within the bound"}: \"{message}\"");
                await handle.TerminateAsync("DurableEval: probe finished");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Finding("Throughput on a 2-core machine shared with other builds, with client, worker and server in one box: a floor for what the SDK sustains, not a capacity figure for a cluster.");
        fact.Cite("A self-hosted Temporal Service limits a workflow execution to 2,000 pending activities (also child workflows, signals and cancellation requests) by default; Temporal Cloud applies the same limit.", "https://docs.temporal.io/self-hosted-guide/defaults");
        fact.Cite("Temporal Cloud limits each namespace's throughput in actions per second, raised automatically with usage (On-Demand Capacity) or by request.", "https://docs.temporal.io/cloud/service-availability");
        fact.Conclude();
    }
}
