using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace DurableEval.Tests.Servers;

/// <summary>
/// Watches the workflow runs a live block started (the ids its lease handed out or tracked) so that a block that
/// cannot progress ends promptly with the reason, instead of waiting out its time bound. The decision is
/// <see cref="RunWatch.Decide"/>; this class only gathers sightings.
/// </summary>
public sealed class RunWatcher(ServerLease lease, TimeSpan stallBound, TimeSpan pollInterval)
{
    private static readonly HashSet<EventType> CloseEvents =
    [
        EventType.WorkflowExecutionCompleted, EventType.WorkflowExecutionFailed, EventType.WorkflowExecutionTimedOut,
        EventType.WorkflowExecutionCanceled, EventType.WorkflowExecutionTerminated, EventType.WorkflowExecutionContinuedAsNew,
    ];

    private readonly Dictionary<string, (string Key, DateTimeOffset Since)> progress = new(StringComparer.Ordinal);

    public static Task<string> WatchAsync(ServerLease lease, CancellationToken cancellation) =>
        new RunWatcher(lease, RunWatch.DefaultStallBound, TimeSpan.FromSeconds(1)).RunAsync(cancellation);

    /// <summary>Completes with the reason when the block cannot progress; otherwise runs until cancelled.</summary>
    public async Task<string> RunAsync(CancellationToken cancellation)
    {
        while (true)
        {
            await Task.Delay(pollInterval, cancellation);
            var sightings = new List<RunSighting>();
            foreach (var (id, expectsFailures) in lease.TrackedRuns())
            {
                if (await SightAsync(id, expectsFailures, cancellation) is { } sighting)
                {
                    sightings.Add(sighting);
                }
            }

            if (RunWatch.Decide(sightings, DateTimeOffset.UtcNow, stallBound) is { } reason)
            {
                return reason;
            }
        }
    }

    /// <summary>The outcome of the last non-benign workflow-task failure not followed by a completed task.</summary>
    public static string? UnrecoveredTaskFailure(IReadOnlyList<HistoryEvent> events)
    {
        for (var i = events.Count - 1; i >= 0; i--)
        {
            var e = events[i];
            if (e.EventType == EventType.WorkflowTaskCompleted)
            {
                return null;
            }

            if (e.EventType == EventType.WorkflowTaskFailed)
            {
                var attributes = e.WorkflowTaskFailedEventAttributes;
                var cause = attributes.Cause.ToString();
                if (RunWatch.IsBenignCause(cause))
                {
                    return null;
                }

                return $"{cause}: {ServerFixture.OneLine(attributes.Failure?.Message ?? "no message")}";
            }
        }

        return null;
    }

    private async Task<RunSighting?> SightAsync(string id, bool expectsFailures, CancellationToken cancellation)
    {
        IReadOnlyList<HistoryEvent> events;
        try
        {
            var history = await lease.Client.GetWorkflowHandle(id).FetchHistoryAsync(
                new() { Rpc = new() { CancellationToken = cancellation } });
            events = history.Events.ToList();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Not started yet, already gone, or the server is restarting: nothing to judge this round.
            return null;
        }

        if (events.Count == 0)
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        var key = $"{events[0].EventTime}/{events.Count}";
        if (!progress.TryGetValue(id, out var seen) || seen.Key != key)
        {
            seen = (key, now);
            progress[id] = seen;
        }

        var last = events[^1].EventType;
        return new RunSighting(
            id,
            Running: !CloseEvents.Contains(last),
            seen.Since,
            last.ToString(),
            expectsFailures ? null : UnrecoveredTaskFailure(events));
    }
}
