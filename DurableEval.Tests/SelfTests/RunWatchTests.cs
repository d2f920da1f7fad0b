using DurableEval.Tests.Servers;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The run watcher's decision, on synthetic sightings and histories: no server needed.</summary>
[Trait("Suite", "SelfTest")]
public sealed class RunWatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string, RunSighting[], string?> Cases => new()
    {
        { "nothing started yet", [], null },
        { "an open run progressed recently", [Run("a", running: true, idleSeconds: 5)], null },
        { "every run closed long ago", [Run("a", running: false, idleSeconds: 300)], null },
        { "one open run idle, another progressing", [Run("a", true, 60), Run("b", true, 1)], null },
        { "every open run idle past the bound", [Run("a", true, 31), Run("b", false, 100)], "no new history event for 30 s in any open run: a (last event WorkflowTaskScheduled)" },
        { "an unrequested task failure on an open run", [Run("a", true, 1, "WorkflowWorkerUnhandledFailure: boom")], "workflow a: its workflow task failed and was not asked to (WorkflowWorkerUnhandledFailure: boom)" },
        { "a task failure on a closed run is history, not a stall", [Run("a", false, 1, "NonDeterministicError: x")], null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecidesWhetherTheBlockCanProgress(string situation, RunSighting[] runs, string? expected)
    {
        Assert.True(expected == RunWatch.Decide(runs, Now, Bound), $"{situation}: got '{RunWatch.Decide(runs, Now, Bound)}'");
    }

    [Fact]
    public void AFailedTaskNotFollowedByACompletedOneIsReported()
    {
        var events = History(EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted);
        events.Add(Failed(WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure, "no input for the continued run"));

        Assert.Equal("WorkflowWorkerUnhandledFailure: no input for the continued run", RunWatcher.UnrecoveredTaskFailure(events));
    }

    [Fact]
    public void ARecoveredOrBenignTaskFailureIsNotReported()
    {
        var recovered = History(EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted);
        recovered.Add(Failed(WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure, "transient"));
        recovered.AddRange(History(EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted, EventType.WorkflowTaskCompleted));
        var benign = History(EventType.WorkflowExecutionStarted, EventType.WorkflowTaskScheduled, EventType.WorkflowTaskStarted);
        benign.Add(Failed(WorkflowTaskFailedCause.UnhandledCommand, "a signal arrived while completing"));

        Assert.Null(RunWatcher.UnrecoveredTaskFailure(recovered));
        Assert.Null(RunWatcher.UnrecoveredTaskFailure(benign));
    }

    private static RunSighting Run(string id, bool running, int idleSeconds, string? failure = null) =>
        new(id, running, Now - TimeSpan.FromSeconds(idleSeconds), "WorkflowTaskScheduled", failure);

    private static List<HistoryEvent> History(params EventType[] types) =>
        types.Select(t => new HistoryEvent { EventType = t }).ToList();

    private static HistoryEvent Failed(WorkflowTaskFailedCause cause, string message) => new()
    {
        EventType = EventType.WorkflowTaskFailed,
        WorkflowTaskFailedEventAttributes = new() { Cause = cause, Failure = new Failure { Message = message } },
    };
}
