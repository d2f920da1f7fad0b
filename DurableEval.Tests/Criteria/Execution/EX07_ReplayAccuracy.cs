using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Xunit;
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
                Core("replay-runs-no-activity", "A worker with no workflow cache replays each run (every task and every query) with its activities registered, and each activity still ran exactly as often as the workflows need"),
                Core("uncached-matches-cached", "Queried while the run waits for its signal, a worker with no workflow cache (answering by replay) gives the same answer as a cached one; results match too"),
                Edge("json-round-trip", "A history exported to JSON and read back keeps every event and still replays"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var runs = new List<(string Result, IReadOnlyList<string> Waiting, WorkflowHandle Handle)>();
                foreach (var cache in new[] { 10_000, 0 })
                {
                    var queue = server.NewTaskQueue(cache == 0 ? "nocache" : "cached");
                    await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = cache }
                        .AddWorkflow<ReplayCorpusWorkflow>()
                        .AddWorkflow<CorpusChildWorkflow>()
                        .AddAllActivities(new CorpusActivities(counter)));
                    var handle = await server.Client.StartWorkflowAsync((ReplayCorpusWorkflow w) => w.RunAsync("temporal"), server.Options(cache == 0 ? "nocache" : "cached", queue));

                    // Asked while the run waits (timer, then the signal): the cached worker answers from memory,
                    // the uncached one rebuilds the state by replaying the history.
                    IReadOnlyList<string> waiting = [];
                    await Eventually.HoldsAsync(
                        async () => (waiting = await handle.QueryAsync(w => w.Trail, new() { Rpc = new() { CancellationToken = checks.Cancellation } })).Count >= 3,
                        Observe.Bound,
                        checks.Cancellation);
                    await handle.SignalAsync(w => w.NoteAsync("noted"));
                    var result = await handle.GetResultAsync(rpcOptions: new() { CancellationToken = checks.Cancellation });
                    if (cache == 0)
                    {
                        // One more full replay on the uncached worker, after completion.
                        await handle.QueryAsync(w => w.Trail);
                    }

                    runs.Add((result, waiting, handle));
                }

                var histories = await Task.WhenAll(runs.Select(r => r.Handle.FetchHistoryAsync()));
                var replays = await HistoryProbe.ReplayAsync(histories, RegisterReplayable, checks.Cancellation);
                checks.Expect("live-histories-replay", replays.All(r => r.Failure is null), string.Join("; ", replays.Select(r => r.Failure?.Message ?? "clean")));

                // Each run needs Upper once and Reverse (a local activity) once; replays must add nothing.
                var workflowTasks = HistoryProbe.Count(histories[1], EventType.WorkflowTaskCompleted);
                checks.Expect(
                    "replay-runs-no-activity",
                    ActivityCountsAreExact(counter, runs.Count, nameof(CorpusActivities.Upper), nameof(CorpusActivities.Reverse)) && workflowTasks > 1,
                    $"Upper ran {counter[nameof(CorpusActivities.Upper)]}, Reverse ran {counter[nameof(CorpusActivities.Reverse)]} for {runs.Count} runs (expected {runs.Count} each); the uncached run replayed across {workflowTasks} workflow tasks and 2+ queries");
                checks.Expect(
                    "uncached-matches-cached",
                    runs[0].Waiting.Count >= 3 && runs[0].Waiting.SequenceEqual(runs[1].Waiting) && runs[0].Result == runs[1].Result,
                    $"while waiting, cached [{string.Join(",", runs[0].Waiting)}], uncached [{string.Join(",", runs[1].Waiting)}]; results {runs[0].Result} / {runs[1].Result}");

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

    /// <summary>Whether each named activity ran exactly <paramref name="expected"/> times: more means a replay re-ran it.</summary>
    internal static bool ActivityCountsAreExact(InvocationCounter counter, int expected, params string[] activities) =>
        activities.All(a => counter[a] == expected);
}
