using System.Diagnostics;
using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using P = Microsoft.DurableTask.Protobuf;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    private static readonly string[] GateOrders = ["standard-1001", "express-2001", "standard-1002", "express-2002"];

    /// <summary>
    /// The change catalogue: each entry replaces the order flow's code and says, from a history alone, which recorded
    /// step the new code first disagrees with (null: that history is not affected). Command changes alter which
    /// activity is scheduled where; the value change alters only an argument.
    /// </summary>
    private static readonly GateChange[] GateChanges =
    [
        new("expedite-moved", "Expedite moved after Ship", () => new OrderFlowExpediteMoved(), Command: true,
            h => OfflineHistory.ScheduledNames(h).Contains(OrderSteps.Expedite) ? OrderSteps.Expedite : null),
        new("reserve-renamed", "activity Reserve renamed to Hold", () => new OrderFlowReserveRenamed(), Command: true,
            h => OfflineHistory.ScheduledNames(h)[0]),
        new("ship-argument", "Ship called with a prefixed reference instead of the order", () => new OrderFlowShipArgumentChanged(), Command: false,
            h => OrderSteps.Ship),
    ];

    private static string GateFolder => Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "Engines", "DurableTask", "Histories", "OrderFlow");

    [SkippableFact]
    [Criterion("VR-02", Engine = "durabletask")]
    public async Task VR02_BreakingChangeDetection()
    {
        var fact = Begin();
        var commandChanges = GateChanges.Where(c => c.Command).ToList();
        await fact.OfflineAsync(
            [
                Core("compatible-code-passes", "Every history in the gate's corpus (committed JSON, replayed with GrpcOrchestrationRunner, the SDK's executor; Durable Task ships no replayer) replays against a compatible change of today's code"),
                .. commandChanges.Select(c => Core(c.Id, $"Gate catches '{c.Description}': exactly the affected history files fail, each naming the recorded activity and sequence number the new code cannot follow")),
                Production("corpus-current", "Histories recorded now from the same inputs are byte-for-byte the committed corpus (the corpus is not stale)"),
            ],
            checks =>
            {
                if (Environment.GetEnvironmentVariable(Settings.RecordHistoriesVariable) is "1" or "true" or "yes")
                {
                    Directory.CreateDirectory(GateFolder);
                    foreach (var order in GateOrders)
                    {
                        File.WriteAllText(Path.Combine(GateFolder, $"{order}.json"), OfflineHistory.ToJson(RecordOrder(order)));
                    }
                }

                var files = GateOrders.Select(o => Path.Combine(GateFolder, $"{o}.json")).ToList();
                var missing = files.Where(f => !File.Exists(f)).ToList();
                if (missing.Count > 0)
                {
                    checks.NotRunRemaining($"the gate's corpus is missing {string.Join(", ", missing.Select(Path.GetFileName))} in {GateFolder}; record it with {Settings.RecordHistoriesVariable}=1");
                    return Task.CompletedTask;
                }

                var corpus = files.Select(f => (file: Path.GetFileName(f), history: OfflineHistory.FromJson(File.ReadAllText(f)))).ToList();
                var clock = Stopwatch.StartNew();
                var compatible = corpus.Select(c => (c.file, replay: OfflineHistory.Replay(new OrderFlowWithStatus(), c.history), c.history)).ToList();
                var compatibleBreaks = compatible.Where(c => !MatchesRecording(c.history, c.replay)).Select(c => $"{c.file}: {c.replay.Describe()}").ToList();
                checks.Expect(
                    "compatible-code-passes",
                    compatibleBreaks.Count == 0,
                    compatibleBreaks.Count == 0 ? $"all {corpus.Count} histories replayed to their recorded results" : $"broke: {string.Join("; ", compatibleBreaks)}");

                foreach (var change in GateChanges)
                {
                    var verdicts = corpus.Select(c => Judge(change, c.file, c.history)).ToList();
                    var summary = string.Join("; ", verdicts.Select(v => v.Describe()));
                    if (change.Command)
                    {
                        checks.Expect(change.Id, verdicts.All(v => v.AsExpected), summary);
                    }
                    else
                    {
                        var caught = verdicts.Count(v => v.Broke);
                        fact.Finding($"Durable Task's replay does not compare activity inputs: the value change '{change.Description}' broke {caught} of {verdicts.Count} histories in the gate");
                    }
                }

                fact.Metric("gate_runs", GateChanges.Length + 1, "corpus replays");
                fact.Metric("gate_ms", clock.Elapsed.TotalMilliseconds, "ms");
                fact.Metric("gate_corpus_histories", corpus.Count, "histories");

                var stale = GateOrders.Where(o => OfflineHistory.ToJson(RecordOrder(o)) != File.ReadAllText(Path.Combine(GateFolder, $"{o}.json"))).ToList();
                checks.Expect(
                    "corpus-current",
                    stale.Count == 0,
                    stale.Count == 0 ? $"{GateOrders.Length} fresh recordings equal the committed files" : $"differ from the committed corpus: {string.Join(", ", stale)}; re-record with {Settings.RecordHistoriesVariable}=1 and review the diff");
                return Task.CompletedTask;
            });
        fact.Conclude();
    }

    private static IReadOnlyList<P.HistoryEvent> RecordOrder(string order) =>
        OfflineHistory.Record(new OrderFlowOrchestrator(), nameof(OrderFlowOrchestrator), null, JsonSerializer.Serialize(order), AnswerOrderStep);

    private static string AnswerOrderStep(string name, string? input) =>
        JsonSerializer.Serialize($"{name}:{ActivityInput(input)}");

    private static GateVerdict Judge(GateChange change, string file, IReadOnlyList<P.HistoryEvent> history)
    {
        var replay = OfflineHistory.Replay(change.Code(), history);
        var expected = change.ExpectedBreak(history);
        var sequence = expected is null ? -1 : OfflineHistory.ScheduledNames(history).ToList().IndexOf(expected);
        return new GateVerdict(file, !MatchesRecording(history, replay), expected, sequence, replay);
    }
}

/// <summary>One change in the gate's catalogue: its code and, from a history, the recorded step it first breaks (null: unaffected).</summary>
internal sealed record GateChange(string Id, string Description, Func<ITaskOrchestrator> Code, bool Command, Func<IReadOnlyList<P.HistoryEvent>, string?> ExpectedBreak);

/// <summary>The gate's verdict on one history: whether it broke, and whether that matches the catalogue's expectation and names the step.</summary>
internal sealed record GateVerdict(string File, bool Broke, string? ExpectedStep, int ExpectedSequence, ReplayOutcome Replay)
{
    public bool AsExpected => ExpectedStep is null
        ? !Broke
        : Broke
            && Replay.FailureType == typeof(global::DurableTask.Core.Exceptions.NonDeterministicOrchestrationException).FullName
            && Replay.FailureMessage?.Contains($"'{ExpectedStep}'", StringComparison.Ordinal) == true
            && Replay.FailureMessage.Contains($"sequence number {ExpectedSequence}", StringComparison.Ordinal);

    public string Describe() => $"{File}: {(Broke ? Replay.Describe() : "replays")} (expected {(ExpectedStep is null ? "to replay" : $"to break at '{ExpectedStep}' sequence number {ExpectedSequence}")})";
}
