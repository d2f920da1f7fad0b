using System.Collections.Concurrent;

namespace DurableEval.Workflows.DurableTask;

/// <summary>One activity execution as the activity itself saw it: the orchestration it served, the step, when, and a detail.</summary>
public sealed record DurableCall(string InstanceId, string Step, string Detail, DateTimeOffset At);

/// <summary>
/// What the activities of one Durable Task host did, registered as a singleton in the worker's services so every
/// activity class receives the same log through its constructor. Facts read counts and times from it; orchestrators
/// never touch it (their code must stay deterministic).
/// </summary>
public sealed class DurableCallLog
{
    private readonly ConcurrentQueue<DurableCall> calls = new();
    private int inFlight;
    private int maxInFlight;

    public void Record(string instanceId, string step, string detail = "") =>
        calls.Enqueue(new DurableCall(instanceId, step, detail, DateTimeOffset.UtcNow));

    public IReadOnlyList<DurableCall> For(string instanceId) => calls.Where(c => c.InstanceId == instanceId).ToList();

    public IReadOnlyList<DurableCall> ForPrefix(string instancePrefix) =>
        calls.Where(c => c.InstanceId.StartsWith(instancePrefix, StringComparison.Ordinal)).ToList();

    public int Count(string instanceId, string step) => calls.Count(c => c.InstanceId == instanceId && c.Step == step);

    /// <summary>The most activities that were inside <see cref="Enter"/> at the same moment.</summary>
    public int MaxInFlight => Volatile.Read(ref maxInFlight);

    /// <summary>Marks an activity in flight until the returned scope is disposed, keeping the high-water mark.</summary>
    public IDisposable Enter()
    {
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
        {
        }

        return new Exit(this);
    }

    private sealed class Exit(DurableCallLog log) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref log.inFlight);
    }
}
