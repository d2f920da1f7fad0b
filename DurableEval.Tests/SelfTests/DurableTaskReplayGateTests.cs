using System.Text.Json;
using DurableEval.Tests.DurableTaskEngine;
using DurableEval.Workflows.DurableTask;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Durable Task's replay gate (VR-02, also EX-07's, VR-01's, DX-07's and DX-04's replay checks) must fail when the behaviour it checks
/// is broken: a gate whose catalogue entry carries unchanged code misses the break it claims to catch, and the
/// compatible-code check fails on a history whose recorded step no longer matches the code. Offline, no host.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class DurableTaskReplayGateTests
{
    private static IReadOnlyList<Microsoft.DurableTask.Protobuf.HistoryEvent> Express() =>
        OfflineHistory.Record(new OrderFlowOrchestrator(), nameof(OrderFlowOrchestrator), null, JsonSerializer.Serialize("express-9"),
            (name, input) => JsonSerializer.Serialize($"{name}:{InProcessFacts.ActivityInput(input)}"));

    [Fact]
    public void GateVerdictFailsWhenTheChangeIsNotCaught()
    {
        var history = Express();
        GateVerdict Verdict(Microsoft.DurableTask.ITaskOrchestrator code)
        {
            var replay = OfflineHistory.Replay(code, history);
            return new GateVerdict("express-9.json", !InProcessFacts.MatchesRecording(history, replay), OrderSteps.Expedite, 1, replay);
        }

        Assert.True(Verdict(new OrderFlowExpediteMoved()).AsExpected);

        // Broken: the "changed" code is the recorded code, so nothing breaks where the catalogue says it must.
        var missed = Verdict(new OrderFlowOrchestrator());
        Assert.False(missed.Broke);
        Assert.False(missed.AsExpected);
    }

    [Fact]
    public void ReplayMatchFailsOnATamperedHistory()
    {
        var history = Express().Select(e => e.Clone()).ToList();
        Assert.True(InProcessFacts.MatchesRecording(history, OfflineHistory.Replay(new OrderFlowOrchestrator(), history)));

        // Broken: the history says Reserve ran as "Hold", as if the code had been changed after recording.
        history.First(e => e.TaskScheduled is not null).TaskScheduled.Name = OrderSteps.Hold;
        var replay = OfflineHistory.Replay(new OrderFlowOrchestrator(), history);
        Assert.False(InProcessFacts.MatchesRecording(history, replay));
        Assert.Contains("'Hold'", replay.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void FanOutReplayFailsOnTheWrongOutputOrAChangedHistory()
    {
        var history = InProcessFacts.RecordFanOut(3);
        Assert.True(InProcessFacts.ReplayFanOut("same", 3, history).Passed);

        // Broken: the history replays cleanly, but to an output the branches do not give (DX-07's hand-built-replays-each).
        Assert.False(InProcessFacts.ReplayFanOut("two-branches-expected", 2, history).Passed);

        // Broken: the activity was renamed after recording (DX-07's broken-history-named, DX-04's replayer-detects-change).
        var changed = InProcessFacts.ReplayFanOut("renamed", 3, InProcessFacts.RenameScheduled(history, "RenamedActivity"));
        Assert.False(changed.Passed);
        Assert.Equal(typeof(global::DurableTask.Core.Exceptions.NonDeterministicOrchestrationException).FullName, changed.Replay.FailureType);
    }
}
