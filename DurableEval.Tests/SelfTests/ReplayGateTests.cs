using DurableEval.Tests.Criteria;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The replay gate's judgement: which event a replay failure names, and whether a change counts as caught.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ReplayGateTests
{
    // A hand-written history: start, one workflow task, Send scheduled (event 5), a patch marker (event 6).
    private const string Json = """
        {"events":[
        {"eventId":"1","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_WORKFLOW_EXECUTION_STARTED","workflowExecutionStartedEventAttributes":{"workflowType":{"name":"InvoiceApproval"},"taskQueue":{"name":"tq"},"workflowTaskTimeout":"10s"}},
        {"eventId":"2","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_WORKFLOW_TASK_SCHEDULED","workflowTaskScheduledEventAttributes":{"taskQueue":{"name":"tq"}}},
        {"eventId":"3","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_WORKFLOW_TASK_STARTED","workflowTaskStartedEventAttributes":{"scheduledEventId":"2"}},
        {"eventId":"4","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_WORKFLOW_TASK_COMPLETED","workflowTaskCompletedEventAttributes":{"scheduledEventId":"2","startedEventId":"3"}},
        {"eventId":"5","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_ACTIVITY_TASK_SCHEDULED","activityTaskScheduledEventAttributes":{"activityId":"1","activityType":{"name":"Send"},"workflowTaskCompletedEventId":"4"}},
        {"eventId":"6","eventTime":"2024-01-01T00:00:00Z","eventType":"EVENT_TYPE_MARKER_RECORDED","markerRecordedEventAttributes":{"markerName":"core_patch","details":{"patch-data":{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"eyJpZCI6InAxIiwiZGVwcmVjYXRlZCI6ZmFsc2V9"}]}},"workflowTaskCompletedEventId":"4"}}
        ]}
        """;

    private static readonly WorkflowHistory History = WorkflowHistory.FromJson("wf", Json);

    [Theory]
    [InlineData("Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 5, ActivityTaskScheduled)", 5L)]
    [InlineData("Nondeterminism error: Activity type of scheduled event 'Send' does not match activity type of activity command 'Dispatch'", 5L)]
    [InlineData("Non-deprecated patch marker encountered for change p1, but there is no corresponding change command!", 6L)]
    public void NamesTheEventTheFailurePointsAt(string message, long expected)
    {
        Assert.Equal(expected, ReplayGate.BreakingEvent(History, new InvalidOperationException(message))?.EventId);
    }

    [Theory]
    [InlineData("Nondeterminism error: something unforeseen")]
    [InlineData("Activity type of scheduled event 'Archive' does not match activity type of activity command 'Send'")]
    public void NamesNoEventWhenTheFailureGivesNoneThatExists(string message)
    {
        Assert.Null(ReplayGate.BreakingEvent(History, new InvalidOperationException(message)));
    }

    // The SDK constructs this exception internally only; the judgement needs its type, so make one as the SDK does.
    private static WorkflowNondeterminismException Nondeterminism(string message) =>
        (WorkflowNondeterminismException)Activator.CreateInstance(
            typeof(WorkflowNondeterminismException), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance, null, [message], null)!;

    [Fact]
    public void ReadsThePatchIdOfAMarker()
    {
        Assert.Equal(("p1", false), ReplayGate.PatchOf(ReplayGate.PatchMarker(History)!));
    }

    [Fact]
    public void ChangeIsCaughtOnlyWhenExactlyTheAffectedFilesFailAtTheExpectedEvent()
    {
        var send = History.Events.First(e => e.EventType == EventType.ActivityTaskScheduled);
        var marker = ReplayGate.PatchMarker(History)!;
        var expected = new Dictionary<string, Temporalio.Api.History.V1.HistoryEvent> { ["a"] = send };
        GateVerdict Breaks(string file, Temporalio.Api.History.V1.HistoryEvent at) => new(file, "InvoiceApproval", Nondeterminism("x"), at);
        GateVerdict Replays(string file) => new(file, "InvoiceApproval", null, null);

        Assert.True(ChangeJudgement.Of(expected, [Breaks("a", send), Replays("b")]).Caught);
        Assert.False(ChangeJudgement.Of(expected, [Breaks("a", marker), Replays("b")]).Caught);
        Assert.False(ChangeJudgement.Of(expected, [Breaks("a", send), Breaks("b", send)]).Caught);
        Assert.False(ChangeJudgement.Of(expected, [Replays("a"), Replays("b")]).Caught);
        Assert.False(ChangeJudgement.Of(new Dictionary<string, Temporalio.Api.History.V1.HistoryEvent>(), [Replays("a")]).Caught);
    }
}
