using System.Collections.Concurrent;
using Temporalio.Activities;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>
/// What heartbeating activities did, kept outside Temporal: where each attempt resumed, which items it
/// processed, every heartbeat it sent (the server sees only some: heartbeats are throttled), and how it met
/// cancellation.
/// </summary>
public sealed class HeartbeatJournal
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Attempt, int Item)>> processed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Attempt, object Detail)>> beats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, int>> resumedFrom = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationSeen> cancellations = new(StringComparer.Ordinal);

    public static string KeyOf(ActivityInfo info) => info.WorkflowId ?? info.ActivityId;

    public void Resumed(string key, int attempt, int from) => resumedFrom.GetOrAdd(key, _ => new())[attempt] = from;

    public void Processed(string key, int attempt, int item) => processed.GetOrAdd(key, _ => new()).Enqueue((attempt, item));

    public void Beat(string key, int attempt, object detail) => beats.GetOrAdd(key, _ => new()).Enqueue((attempt, detail));

    public void Cancelled(string key, CancellationSeen seen) => cancellations[key] = seen;

    public IReadOnlyList<(int Attempt, int Item)> ProcessedBy(string key) =>
        processed.TryGetValue(key, out var queue) ? queue.ToList() : [];

    public IReadOnlyList<(int Attempt, object Detail)> BeatsOf(string key) =>
        beats.TryGetValue(key, out var queue) ? queue.ToList() : [];

    /// <summary>The item each attempt started from (0 for a fresh start), by attempt number.</summary>
    public IReadOnlyDictionary<int, int> ResumePoints(string key) =>
        resumedFrom.TryGetValue(key, out var points) ? new Dictionary<int, int>(points) : [];

    public CancellationSeen? CancellationOf(string key) => cancellations.GetValueOrDefault(key);
}

/// <summary>How a heartbeating activity met its cancellation: the reason the SDK gave, what it threw, and when (wall clock).</summary>
public sealed record CancellationSeen(ActivityCancelReason Reason, bool IsCancelRequested, string ThrownType, int BeatsBefore, DateTime ObservedAt);
