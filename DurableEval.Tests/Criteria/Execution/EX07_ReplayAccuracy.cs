using System.Diagnostics;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    [SkippableFact]
    [Criterion("EX-07")]
    public async Task EX07_ReplayAccuracy()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [Core("recorded-histories-replay", "Every history file kept with the tests replays with unchanged code")],
            async checks =>
            {
                var histories = HistoryFixtures.Names().Select(n => HistoryFixtures.Load(n)!).ToList();
                if (histories.Count == 0)
                {
                    checks.NotRun("recorded-histories-replay", $"no history files in {Settings.HistoriesDirectory}; record them with {Settings.RecordHistoriesVariable}=1");
                    return;
                }

                var replays = await HistoryProbe.ReplayAsync(histories, RegisterReplayable, checks.Cancellation);
                fact.Metric("replayed_histories", replays.Count, "histories");
                fact.Metric("replay_ms_max", replays.Skip(1).Select(r => r.Milliseconds).DefaultIfEmpty(replays[0].Milliseconds).Max(), "ms");
                var failed = replays.Where(r => r.Failure is not null).ToList();
                checks.Expect(
                    "recorded-histories-replay",
                    failed.Count == 0,
                    failed.Count == 0
                        ? $"{replays.Count} histories replayed cleanly ({string.Join(", ", HistoryFixtures.Names())})"
                        : string.Join("; ", failed.Select(f => $"{f.WorkflowId}: {HistoryProbe.Summarize(f.Failure!)}")));
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("live-histories-replay", "The completed runs' histories replay with unchanged code"),
                Core("replay-runs-no-activity", "Replay re-executes no activity"),
                Core("uncached-matches-cached", "A worker with no workflow cache gives the same result and query answers as a cached one"),
                Edge("json-round-trip", "A history exported to JSON and read back keeps every event and still replays"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var runs = new List<(string Result, IReadOnlyList<string> Trail, WorkflowHandle Handle)>();
                foreach (var cache in new[] { 10_000, 0 })
                {
                    var queue = server.NewTaskQueue(cache == 0 ? "nocache" : "cached");
                    await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = cache }
                        .AddWorkflow<ReplayCorpusWorkflow>()
                        .AddWorkflow<CorpusChildWorkflow>()
                        .AddAllActivities(new CorpusActivities(counter)));
                    var handle = await server.Client.StartWorkflowAsync((ReplayCorpusWorkflow w) => w.RunAsync("temporal"), server.Options(cache == 0 ? "nocache" : "cached", queue));
                    await handle.SignalAsync(w => w.NoteAsync("noted"));
                    var result = await handle.GetResultAsync();
                    runs.Add((result, await handle.QueryAsync(w => w.Trail), handle));
                }

                var histories = await Task.WhenAll(runs.Select(r => r.Handle.FetchHistoryAsync()));
                var before = counter.Total;
                var replays = await HistoryProbe.ReplayAsync(histories, RegisterReplayable, checks.Cancellation);
                checks.Expect("live-histories-replay", replays.All(r => r.Failure is null), string.Join("; ", replays.Select(r => r.Failure?.Message ?? "clean")));
                checks.Expect("replay-runs-no-activity", counter.Total == before, $"activity invocations {before} before replay, {counter.Total} after");
                checks.Expect(
                    "uncached-matches-cached",
                    runs[0].Result == runs[1].Result && runs[0].Trail.SequenceEqual(runs[1].Trail),
                    $"cached: {runs[0].Result} [{string.Join(",", runs[0].Trail)}]; uncached: {runs[1].Result} [{string.Join(",", runs[1].Trail)}]");

                var json = histories[0].ToJson();
                var reread = WorkflowHistory.FromJson(histories[0].Id, json);
                var rereplay = await HistoryProbe.ReplayAsync([reread], RegisterReplayable, checks.Cancellation);
                checks.Expect(
                    "json-round-trip",
                    reread.Events.Count == histories[0].Events.Count && rereplay[0].Failure is null,
                    $"{histories[0].Events.Count} events exported, {reread.Events.Count} read back ({json.Length} JSON chars); replay {(rereplay[0].Failure is null ? "clean" : rereplay[0].Failure!.Message)}");
                HistoryFixtures.SaveIfRecording(Settings.Current, nameof(ReplayCorpusWorkflow), histories[0]);
            });
        fact.Conclude();
    }
}
