using System.Collections.Concurrent;
using System.Diagnostics;
using Temporalio.Activities;

namespace DurableEval.Workflows.Performance;

/// <summary>
/// No-op activities that note the worker's wall clock each time they run, keyed by workflow id. The gap between
/// two consecutive steps of one workflow is the full cost of a step: completing the activity, the workflow task
/// that schedules the next one, and dispatching it. Read from outside Temporal's state; it never steers a workflow.
/// </summary>
public sealed class StepClock
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> ticks = new(StringComparer.Ordinal);

    [Activity]
    public Task TickAsync(string run)
    {
        ticks.GetOrAdd(run, _ => new ConcurrentQueue<long>()).Enqueue(Stopwatch.GetTimestamp());
        return Task.CompletedTask;
    }

    /// <summary>Returns its input, so a fan-out can prove every branch's own result came back.</summary>
    [Activity]
    public Task<int> EchoAsync(int index) => Task.FromResult(index);

    public int Count(string run) => ticks.TryGetValue(run, out var q) ? q.Count : 0;

    /// <summary>Milliseconds between consecutive steps of one run, in order.</summary>
    public IReadOnlyList<double> GapsMs(string run)
    {
        var stamps = ticks.TryGetValue(run, out var q) ? q.ToArray() : [];
        return stamps.Zip(stamps.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).ToList();
    }
}
