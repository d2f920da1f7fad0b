using DurableEval.Tests.Criteria;
using DurableEval.Tests.Evidence;
using DurableEval.Workflows.Agents;
using DurableEval.Workflows.Primitives;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Converters;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The readings behind checks that see a platform defect directly (issue 16 item 8): a marker's contents, a signal's
/// and a continued run's recorded input, and the workflow time at which a timer woke the workflow. Each is tried on
/// what a correct server records and on what a defective one would (details or input stripped, a clock overshoot).
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class DirectEvidenceTests
{
    private static Payloads Encoded(object value) => new() { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(value) } };

    private static HistoryEvent Marker(string name, params (string Key, Payloads Value)[] details)
    {
        var attributes = new MarkerRecordedEventAttributes { MarkerName = name };
        foreach (var (key, value) in details)
        {
            attributes.Details[key] = value;
        }

        return new HistoryEvent { EventId = 5, EventType = EventType.MarkerRecorded, MarkerRecordedEventAttributes = attributes };
    }

    private static HistoryEvent Signaled(string name, Payloads? input) => new()
    {
        EventType = EventType.WorkflowExecutionSignaled,
        WorkflowExecutionSignaledEventAttributes = input is null ? new() { SignalName = name } : new() { SignalName = name, Input = input },
    };

    private static HistoryEvent Started(Payloads? input) => new()
    {
        EventId = 1,
        EventType = EventType.WorkflowExecutionStarted,
        WorkflowExecutionStartedEventAttributes = input is null ? new() : new() { Input = input },
    };

    private static WorkflowHistory History(params HistoryEvent[] events) => new("wf", events);

    [Fact]
    public void TimerWakeAcceptsTheTargetAndDispatchLatencyButNotAnOvershootOrAnEarlyWake()
    {
        var month = TimeSpan.FromDays(30);
        Assert.True(TimerWake.OnTime(month, month));
        Assert.True(TimerWake.OnTime(month + TimeSpan.FromMilliseconds(300), month));
        Assert.False(TimerWake.OnTime(month + TimeSpan.FromMinutes(1), month));
        Assert.False(TimerWake.OnTime(month - TimeSpan.FromSeconds(1), month));
        Assert.False(TimerWake.OnTime(TimeSpan.FromSeconds(61), TimeSpan.FromSeconds(1)));
        Assert.Equal("woke at start + timer +1 min (tolerance +5 s)", TimerWake.Describe(month + TimeSpan.FromMinutes(1), month));
        Assert.Equal("woke at start + timer +250 ms (tolerance +5 s)", TimerWake.Describe(month + TimeSpan.FromMilliseconds(250), month));
        Assert.Equal("woke at start + timer -1000 ms (tolerance +5 s)", TimerWake.Describe(month - TimeSpan.FromSeconds(1), month));
    }

    [Fact]
    public void LocalActivityMarkerResultIsReadAndItsAbsenceSeen()
    {
        var recorded = Marker(MarkerContents.LocalActivityMarker, ("data", Encoded("{\"activity_type\":\"Measure\"}")), ("result", Encoded(17)));
        var stripped = Marker(MarkerContents.LocalActivityMarker);
        var history = History(recorded, Marker(MarkerContents.PatchMarker));

        Assert.Single(MarkerContents.Markers(history, MarkerContents.LocalActivityMarker));
        Assert.True(MarkerContents.HasLocalActivityResult(recorded));
        Assert.Equal(17, MarkerContents.LocalActivityResult<int>(recorded));
        Assert.Equal("data, result", MarkerContents.DetailKeys(recorded));
        Assert.False(MarkerContents.HasLocalActivityResult(stripped));
        Assert.Equal(0, MarkerContents.LocalActivityResult<int>(stripped));
        Assert.Equal("none", MarkerContents.DetailKeys(stripped));
    }

    [Fact]
    public void PatchMarkerIdIsReadAndAMarkerWithoutDetailsNamesNone()
    {
        var json = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(new Dictionary<string, object> { ["id"] = "sms-notification", ["deprecated"] = false }) } };
        Assert.Equal("sms-notification", ReplayGate.PatchOf(Marker(MarkerContents.PatchMarker, ("patch-data", json))).Id);
        Assert.Null(ReplayGate.PatchOf(Marker(MarkerContents.PatchMarker)).Id);
    }

    [Fact]
    public void SignalInputsAreDecodedPerSignalNameAndAMissingInputIsSeen()
    {
        var decision = new ApprovalDecision(true, "bob-1");
        var history = History(
            Signaled("Note", Encoded(1)),
            Signaled("Finish", null),
            Signaled("Note", null),
            Signaled("Decide", Encoded(decision)));

        var notes = RecordedInputs.Signals<int>(history, "Note");
        Assert.Equal([new RecordedInput<int>(true, 1), new RecordedInput<int>(false, 0)], notes);
        Assert.Equal("no input", notes[1].ToString());
        Assert.Equal(decision, Assert.Single(RecordedInputs.Signals<ApprovalDecision>(history, "Decide")).Value);
    }

    [Fact]
    public void StartedInputIsDecodedAndARunStartedWithoutItIsSeen()
    {
        var handed = new RunningTotal(4, 30, ["run-1", "run-2"]);
        var recorded = RecordedInputs.Started<RunningTotal>(History(Started(Encoded(handed))));
        Assert.True(recorded.Present);
        Assert.Equal(30, recorded.Value!.Total);
        Assert.Equal(["run-1", "run-2"], recorded.Value.RunIds);
        Assert.False(RecordedInputs.Started<RunningTotal>(History(Started(null))).Present);
    }
}
