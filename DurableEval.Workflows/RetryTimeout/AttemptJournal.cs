using System.Collections.Concurrent;
using Temporalio.Activities;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>
/// Every attempt an activity made, as the activity itself saw it, kept outside Temporal: the history keeps only
/// the final attempt's started event, so attempts and their start times must be counted in activity code.
/// </summary>
public sealed class AttemptJournal
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<AttemptRecord>> attempts = new(StringComparer.Ordinal);

    public void Record(ActivityInfo info) =>
        attempts.GetOrAdd(info.WorkflowId ?? "standalone", _ => new()).Enqueue(new(info.Attempt, info.StartedTime, info.CurrentAttemptScheduledTime));

    public IReadOnlyList<AttemptRecord> For(string workflowId) =>
        attempts.TryGetValue(workflowId, out var queue) ? queue.OrderBy(a => a.Attempt).ToList() : [];
}

/// <summary>One attempt: its number and its server-side start and schedule times (skipped time on a time-skipping server).</summary>
public sealed record AttemptRecord(int Attempt, DateTime StartedTime, DateTime ScheduledTime);
