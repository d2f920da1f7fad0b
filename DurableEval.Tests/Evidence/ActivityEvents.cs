using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;

namespace DurableEval.Tests.Evidence;

/// <summary>What a history records about the activities of one type: how many were scheduled, started, and how they ended.</summary>
public sealed record ActivityLifecycle(string ActivityType, int Scheduled, int Started, int Completed, int Failed)
{
    public override string ToString() =>
        $"{ActivityType}: {Scheduled} scheduled, {Started} started, {Completed} completed, {Failed} failed";
}

/// <summary>Reads activity task events by activity type, linking started and closing events to their scheduled event.</summary>
public static class ActivityEvents
{
    public static IReadOnlyList<HistoryEvent> Scheduled(WorkflowHistory history, string? activityType = null) =>
        history.Events
            .Where(e => e.EventType == EventType.ActivityTaskScheduled
                && (activityType is null || e.ActivityTaskScheduledEventAttributes.ActivityType.Name == activityType))
            .ToList();

    public static ActivityLifecycle Lifecycle(WorkflowHistory history, string activityType)
    {
        var ids = Scheduled(history, activityType).Select(e => e.EventId).ToHashSet();
        return new(
            activityType,
            ids.Count,
            history.Events.Count(e => e.EventType == EventType.ActivityTaskStarted && ids.Contains(e.ActivityTaskStartedEventAttributes.ScheduledEventId)),
            history.Events.Count(e => e.EventType == EventType.ActivityTaskCompleted && ids.Contains(e.ActivityTaskCompletedEventAttributes.ScheduledEventId)),
            history.Events.Count(e => e.EventType == EventType.ActivityTaskFailed && ids.Contains(e.ActivityTaskFailedEventAttributes.ScheduledEventId)));
    }

    /// <summary>The worker identity recorded on each started activity, in the order the activities were scheduled.</summary>
    public static IReadOnlyList<string> StartedIdentities(WorkflowHistory history) =>
        Scheduled(history)
            .Select(s => history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskStarted && e.ActivityTaskStartedEventAttributes.ScheduledEventId == s.EventId))
            .Select(e => e?.ActivityTaskStartedEventAttributes.Identity ?? "(not started)")
            .ToList();
}
