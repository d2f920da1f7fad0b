using System.Collections.Concurrent;
using Temporalio.Activities;

namespace DurableEval.Workflows.Agents;

/// <summary>One activity attempt as the activity saw it: server times come from the task, so they are server (skipped) time.</summary>
public sealed record ActivityAttempt(string WorkflowId, string ActivityType, string ActivityId, int Attempt, DateTime ScheduledTime, DateTime StartedTime);

/// <summary>Every model and tool activity attempt, recorded outside Temporal's state so retries and re-runs are visible to the test.</summary>
public sealed class ActivityJournal
{
    private readonly ConcurrentQueue<ActivityAttempt> attempts = new();

    public void Record(ActivityInfo info) =>
        attempts.Enqueue(new(info.WorkflowId ?? "", info.ActivityType, info.ActivityId, info.Attempt, info.CurrentAttemptScheduledTime, info.StartedTime));

    public IReadOnlyList<ActivityAttempt> For(string workflowId) => attempts.Where(a => a.WorkflowId == workflowId).ToList();

    public IReadOnlyList<ActivityAttempt> For(string workflowId, string activityType) =>
        attempts.Where(a => a.WorkflowId == workflowId && a.ActivityType == activityType).ToList();
}
