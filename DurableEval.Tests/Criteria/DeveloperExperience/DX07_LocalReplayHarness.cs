using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using DurableEval.Workflows.Execution;
using Temporalio.Common;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    [SkippableFact]
    [Criterion("DX-07")]
    public async Task DX07_LocalReplayHarness()
    {
        const string Id = "DX-07";
        const string BrokenId = "dx07-broken-shipment";
        const int Passes = 5;
        const int LiveRunsPerKind = 6;
        var minRate = CriterionThresholds.Get(Id, "histories_per_second_min");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("files-replay-each", "The replayer runs every recorded history file in the repository and reports a result for each"),
                Core("broken-history-named", "A tampered copy of one history (an activity type changed) fails, named by its id, while every other history in the batch passes"),
                Edge("throughput", $"At least {minRate.Value.ToString(CultureInfo.InvariantCulture)} histories/s after a warm-up pass (DurableEval's threshold)"),
            ],
            async checks =>
            {
                var names = HistoryFixtures.Names();
                var files = names.Select(n => HistoryFixtures.Load(n)!).ToList();
                if (files.Count == 0)
                {
                    foreach (var id in new[] { "files-replay-each", "broken-history-named", "throughput" })
                    {
                        checks.NotRun(id, $"no history files in {Settings.HistoriesDirectory}; record them with {Settings.RecordHistoriesVariable}=1");
                    }

                    return;
                }

                var replayer = new WorkflowReplayer(RegisterRecorded(new WorkflowReplayerOptions()));
                var results = (await replayer.ReplayWorkflowsAsync(files, cancellationToken: checks.Cancellation)).ToList();
                checks.Expect(
                    "files-replay-each",
                    results.Count == files.Count && results.All(r => r.ReplayFailure is null),
                    PerHistory(results));

                var broken = Tampered(ShipmentWorkflow.Name, BrokenId);
                if (broken is null)
                {
                    checks.NotRun("broken-history-named", $"history file {HistoryFixtures.PathOf(ShipmentWorkflow.Name)} is missing or has no activity to tamper with");
                }
                else
                {
                    var batch = (await replayer.ReplayWorkflowsAsync([.. files, broken], cancellationToken: checks.Cancellation)).ToList();
                    var failedIds = batch.Where(r => r.ReplayFailure is not null).Select(r => r.History.Id).ToList();
                    checks.Expect("broken-history-named", failedIds.SequenceEqual([BrokenId]), PerHistory(batch));
                }

                var rate = await ThroughputAsync(replayer, files, Passes, checks.Cancellation);
                checks.Expect("throughput", rate >= minRate.Value, string.Create(CultureInfo.InvariantCulture, $"{rate:0} histories/s over {Passes} passes of {files.Count} files"));
                fact.Metric("replay_files_histories_per_second", rate, "histories/s", new MetricMethod(files.Count * Passes, files.Count, Passes, "histories / wall time of ReplayWorkflowsAsync passes over the repository's history files", "none (offline replayer)", "none", "WorkflowReplayer with default options"));
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("live-histories-replay", $"Histories fetched from {LiveRunsPerKind * 3} live runs of three workflows all replay, each reported"),
                Edge("live-throughput", $"Live histories replay at ≥ {minRate.Value.ToString(CultureInfo.InvariantCulture)} histories/s after a warm-up pass"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("corpus");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<GreetingWorkflow>()
                    .AddWorkflow<LongWaitWorkflow>()
                    .AddWorkflow<CheckoutWorkflow>()
                    .AddAllActivities(new GreetingActivities())
                    .AddAllActivities(new FakePaymentActivities()));
                var handles = new List<Temporalio.Client.WorkflowHandle>();
                for (var i = 0; i < LiveRunsPerKind; i++)
                {
                    var greet = await server.Client.StartWorkflowAsync((GreetingWorkflow w) => w.RunAsync($"n{i}"), server.Options("greet", queue));
                    await greet.GetResultAsync();
                    var wait = await server.Client.StartWorkflowAsync((LongWaitWorkflow w) => w.RunAsync(TimeSpan.FromMilliseconds(10 * (i + 1))), server.Options("wait", queue));
                    await wait.GetResultAsync();
                    var pay = await server.Client.StartWorkflowAsync((CheckoutWorkflow w) => w.RunAsync(100 + i), server.Options("pay", queue));
                    await pay.GetResultAsync();
                    handles.AddRange([greet, wait, pay]);
                }

                var histories = new List<WorkflowHistory>();
                foreach (var handle in handles)
                {
                    histories.Add(await handle.FetchHistoryAsync());
                }

                var replayer = new WorkflowReplayer(new WorkflowReplayerOptions()
                    .AddWorkflow<GreetingWorkflow>()
                    .AddWorkflow<LongWaitWorkflow>()
                    .AddWorkflow<CheckoutWorkflow>());
                var results = (await replayer.ReplayWorkflowsAsync(histories, cancellationToken: checks.Cancellation)).ToList();
                checks.Expect(
                    "live-histories-replay",
                    results.Count == handles.Count && results.All(r => r.ReplayFailure is null),
                    PerHistory(results));
                var rate = await ThroughputAsync(replayer, histories, Passes, checks.Cancellation);
                checks.Expect("live-throughput", rate >= minRate.Value, string.Create(CultureInfo.InvariantCulture, $"{rate:0} histories/s over {Passes} passes of {histories.Count} live histories"));
                fact.Metric("replay_live_histories_per_second", rate, "histories/s", new MetricMethod(histories.Count * Passes, histories.Count, Passes, "histories / wall time of ReplayWorkflowsAsync passes over histories fetched from live runs", $"histories from {ServerNames.Of(server.Kind)} {server.Version}", "none (replay is offline)", "WorkflowReplayer with default options"));
            });

        fact.Cite("WorkflowReplayer replays one or many histories (from JSON files or fetched from a server) against workflow code and reports each result.", "https://docs.temporal.io/develop/dotnet/testing-suite#replay");
        fact.Conclude();
    }

    private static WorkflowReplayerOptions RegisterRecorded(WorkflowReplayerOptions options) => options
        .AddWorkflow<ReplayCorpusWorkflow>()
        .AddWorkflow<CorpusChildWorkflow>()
        .AddWorkflow<ShipmentWorkflow>()
        .AddWorkflow<DeterministicApisWorkflow>()
        .AddWorkflow<HistoryRecordsEveryStepWorkflow>();

    /// <summary>A copy of a recorded history whose first scheduled activity has another type, under a new id.</summary>
    private static WorkflowHistory? Tampered(string name, string newId)
    {
        var path = HistoryFixtures.PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var scheduled = json["events"]!.AsArray().Select(e => e!["activityTaskScheduledEventAttributes"]).FirstOrDefault(a => a is not null);
        if (scheduled is null)
        {
            return null;
        }

        scheduled["activityType"]!["name"] = "Tampered";
        return WorkflowHistory.FromJson(newId, json.ToJsonString());
    }

    private static string PerHistory(IReadOnlyList<WorkflowReplayResult> results) =>
        $"{results.Count(r => r.ReplayFailure is null)} of {results.Count} clean: " +
        string.Join("; ", results.GroupBy(r => r.ReplayFailure is null).SelectMany(g => g.Key
            ? [$"clean: {string.Join(", ", g.Select(r => r.History.Id).Take(8))}{(g.Count() > 8 ? $" and {g.Count() - 8} more" : string.Empty)}"]
            : g.Select(r => $"FAILED {r.History.Id}: {HistoryProbe.Summarize(r.ReplayFailure!)}")));

    /// <summary>One warm-up pass (discarded), then histories per second over the timed passes.</summary>
    private static async Task<double> ThroughputAsync(WorkflowReplayer replayer, IReadOnlyList<WorkflowHistory> histories, int passes, CancellationToken cancellation)
    {
        await replayer.ReplayWorkflowsAsync(histories, cancellationToken: cancellation);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < passes; i++)
        {
            await replayer.ReplayWorkflowsAsync(histories, cancellationToken: cancellation);
        }

        return histories.Count * passes / watch.Elapsed.TotalSeconds;
    }
}
