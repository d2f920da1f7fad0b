using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using P = Microsoft.DurableTask.Protobuf;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("DX-07", Engine = "durabletask")]
    public async Task DX07_LocalReplayHarness()
    {
        const string BrokenId = "dx07-broken-fanout";
        const int Batch = 20;
        const int Passes = 5;
        var minRate = CriterionThresholds.Get("DX-07", "histories_per_second_min");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("hand-built-replays-each", $"{Batch} fan-out histories (2-4 branches, recorded in code through the SDK's own executor) replay through GrpcOrchestrationRunner.LoadAndRun, each completing with the output computed from its branches' results and asking for no new work"),
                Core("broken-history-named", "A tampered copy of one history (an activity name changed) fails, named by its id, while every other history in the batch passes"),
                // Edge here, not core as for Temporal: the files are recorded offline by this harness, not exported from a backend.
                Edge("files-replay-each", "Recorded history files (VR-02's committed OrderFlow corpus) replay, each reported"),
                Edge("throughput", $"At least {minRate.Value.ToString(CultureInfo.InvariantCulture)} histories/s after a warm-up pass (DurableEval's threshold)"),
                Edge("public-replayer", "The SDK offers a replayer type of its own (as Temporal's WorkflowReplayer)"),
            ],
            checks =>
            {
                // The host keeps no history (0 events), so each fan-out's history is recorded in code through the SDK's own
                // executor, every branch answered with its square, and held to the output computed from its branches.
                var histories = Enumerable.Range(0, Batch).Select(i => (Id: $"dx07-fanout-{i}", Branches: 2 + (i % 3))).Select(h => (h.Id, h.Branches, Events: RecordFanOut(h.Branches))).ToList();
                var results = histories.Select(h => ReplayFanOut(h.Id, h.Branches, h.Events)).ToList();
                var wrong = results.Where(r => !r.Passed).ToList();
                checks.Expect(
                    "hand-built-replays-each",
                    results.Count == Batch && wrong.Count == 0,
                    $"{results.Count} replayed, {results.Count - wrong.Count} completed with the expected output"
                        + (wrong.Count == 0 ? $"; e.g. {results[0].Id}: {results[0].Replay.Describe()}" : $"; first wrong: {wrong[0].Id}: {wrong[0].Replay.Describe()}"));

                var batch = histories.Select(h => ReplayFanOut(h.Id, h.Branches, h.Events))
                    .Append(ReplayFanOut(BrokenId, 2, RenameScheduled(RecordFanOut(2), "RenamedActivity")))
                    .ToList();
                var failed = batch.Where(r => !r.Passed).ToList();
                checks.Expect(
                    "broken-history-named",
                    failed.Count == 1 && failed[0].Id == BrokenId,
                    $"{batch.Count - failed.Count} of {batch.Count} passed; failed: {(failed.Count == 0 ? "none" : string.Join("; ", failed.Select(f => $"{f.Id}: {f.Replay.Describe()}")))}");

                var files = Directory.Exists(GateFolder) ? Directory.GetFiles(GateFolder, "*.json").Order(StringComparer.Ordinal).ToList() : [];
                if (files.Count == 0)
                {
                    checks.NotRun("files-replay-each", $"cannot be attempted: no recorded history files in {GateFolder} (VR-02's corpus; record it with {Settings.RecordHistoriesVariable}=1)");
                }
                else
                {
                    var fileResults = files.Select(f => (File: Path.GetFileName(f), History: OfflineHistory.FromJson(File.ReadAllText(f))))
                        .Select(f => (f.File, f.History, Replay: OfflineHistory.Replay(new OrderFlowOrchestrator(), f.History)))
                        .ToList();
                    var fileFailures = fileResults.Where(f => !MatchesRecording(f.History, f.Replay)).ToList();
                    checks.Expect(
                        "files-replay-each",
                        fileFailures.Count == 0,
                        $"{fileResults.Count} files of VR-02's OrderFlow corpus (the SDK's protobuf HistoryEvent as JSON, recorded offline through GrpcOrchestrationRunner, not exported from a backend): "
                            + string.Join("; ", fileResults.Select(f => $"{f.File}: {(MatchesRecording(f.History, f.Replay) ? "replayed to its recorded result" : f.Replay.Describe())}")));
                }

                foreach (var h in histories)
                {
                    OfflineHistory.Replay(new FanOutOrchestrator(), h.Events);
                }

                var clock = Stopwatch.StartNew();
                for (var p = 0; p < Passes; p++)
                {
                    foreach (var h in histories)
                    {
                        OfflineHistory.Replay(new FanOutOrchestrator(), h.Events);
                    }
                }

                var rate = Batch * Passes / clock.Elapsed.TotalSeconds;
                fact.Metric("replay_histories_per_second", rate, "histories/s", new MetricMethod(Batch * Passes, Batch, Passes, "histories / wall time of passes over fan-out histories recorded in code (each replay includes encoding the request and decoding the response, as the entry point requires)", "none (offline, the SDK's GrpcOrchestrationRunner.LoadAndRun)", "none", "LoadAndRun with no services"));
                checks.Expect("throughput", rate >= minRate.Value, string.Create(CultureInfo.InvariantCulture, $"{rate:0} histories/s over {Passes} passes of {Batch} histories"));

                var replayTypes = new[] { typeof(TaskOrchestrator<,>).Assembly, typeof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions).Assembly, typeof(Microsoft.DurableTask.Client.DurableTaskClient).Assembly, typeof(Microsoft.DurableTask.Testing.DurableTaskTestHost).Assembly }
                    .Distinct()
                    .SelectMany(a => a.GetExportedTypes())
                    .Where(t => t.Name.Contains("Replay", StringComparison.OrdinalIgnoreCase))
                    .Select(t => t.FullName)
                    .ToList();
                checks.Expect(
                    "public-replayer",
                    replayTypes.Count > 0,
                    replayTypes.Count > 0
                        ? $"public replay types: {string.Join(", ", replayTypes)}"
                        : $"no public type named for replay in {string.Join(", ", new[] { typeof(TaskOrchestrator<,>).Assembly, typeof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions).Assembly, typeof(Microsoft.DurableTask.Client.DurableTaskClient).Assembly, typeof(Microsoft.DurableTask.Testing.DurableTaskTestHost).Assembly }.Distinct().Select(a => $"{a.GetName().Name} {a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}"))}: the harness above is assembled by the user from the SDK's stateless entry point GrpcOrchestrationRunner.LoadAndRun and its protobuf history events");
                return Task.CompletedTask;
            });
        fact.Finding("Durable Task has no replayer in its SDK; a local harness can be assembled from public types (GrpcOrchestrationRunner.LoadAndRun, the SDK's stateless entry point, fed protobuf history events), and the worker itself detects replay mismatches at run time (EX-06).");
        fact.Conclude();
    }

    /// <summary>One fan-out history's replay, judged against the output computed from its branches (not from the history).</summary>
    internal sealed record FanOutReplay(string Id, ReplayOutcome Replay, bool Passed);

    /// <summary>
    /// Replays a fan-out's history with unchanged code; it passes when it completes with the output its
    /// <paramref name="branches"/> squares give, matches the recorded end and asks for no new work.
    /// </summary>
    internal static FanOutReplay ReplayFanOut(string id, int branches, IReadOnlyList<P.HistoryEvent> history)
    {
        var replay = OfflineHistory.Replay(new FanOutOrchestrator(), history);
        return new FanOutReplay(id, replay, MatchesRecording(history, replay) && replay.Result == FanOutOutput(branches));
    }

    /// <summary>The history a fan-out of <paramref name="branches"/> leaves, each branch answered with its square.</summary>
    internal static IReadOnlyList<P.HistoryEvent> RecordFanOut(int branches) =>
        OfflineHistory.Record(new FanOutOrchestrator(), nameof(FanOutOrchestrator), null, JsonSerializer.Serialize(new FanOutRequest(branches, 0, 0)), AnswerSquare);

    /// <summary>SquareBranchActivity's answer: its branch number (first of the recorded [branch, failing, workMs]) squared.</summary>
    private static string AnswerSquare(string name, string? input)
    {
        using var json = JsonDocument.Parse(input ?? throw new InvalidOperationException($"{name} was scheduled without input"));
        var args = json.RootElement[0].ValueKind == JsonValueKind.Array ? json.RootElement[0] : json.RootElement;
        var branch = args[0].GetInt32();
        return JsonSerializer.Serialize(branch * branch);
    }

    /// <summary>A copy of <paramref name="history"/> whose every scheduled activity is named <paramref name="name"/>, as if the code had changed.</summary>
    internal static IReadOnlyList<P.HistoryEvent> RenameScheduled(IReadOnlyList<P.HistoryEvent> history, string name) =>
        history.Select(e =>
        {
            var copy = e.Clone();
            if (copy.TaskScheduled is not null)
            {
                copy.TaskScheduled.Name = name;
            }

            return copy;
        }).ToList();

    /// <summary>The output a fan-out of <paramref name="branches"/> must complete with, computed from its branches' squares.</summary>
    internal static string FanOutOutput(int branches) =>
        new Microsoft.DurableTask.Worker.DurableTaskWorkerOptions().DataConverter.Serialize(new FanOutResult(
            Enumerable.Range(1, branches).Select(b => (b * b).ToString(CultureInfo.InvariantCulture)).ToList()))!;
}
