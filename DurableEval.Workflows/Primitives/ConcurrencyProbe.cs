using System.Collections.Concurrent;
using System.Diagnostics;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// Observes activity executions from outside Temporal: how many run at once (peak, by an interlocked counter)
/// and when each started. An execution can hold until <c>releaseAt</c> executions are in flight together, bounded
/// by a timeout, so overlap has a moment to happen without a fixed sleep, and a cap that holds shows up as the
/// timeout rather than a hang.
/// </summary>
public sealed class ConcurrencyProbe(int releaseAt)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<double> starts = new();
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int current;
    private int peak;
    private int timedOut;

    /// <summary>The most executions observed in flight at the same moment.</summary>
    public int Peak => Volatile.Read(ref peak);

    /// <summary>Executions that left because the hold timed out (the release count was never reached).</summary>
    public int TimedOut => Volatile.Read(ref timedOut);

    /// <summary>Start times in milliseconds since the probe was created, in the order executions started.</summary>
    public IReadOnlyList<double> StartOffsetsMs => starts.OrderBy(s => s).ToList();

    /// <summary>Whether <c>releaseAt</c> executions were ever in flight together.</summary>
    public bool Released => released.Task.IsCompleted;

    /// <summary>Counts one execution in, holds until the release count is reached or <paramref name="atMost"/> passes, counts it out.</summary>
    public async Task HoldAsync(TimeSpan atMost, CancellationToken cancellation)
    {
        starts.Enqueue(clock.Elapsed.TotalMilliseconds);
        var now = Interlocked.Increment(ref current);
        RaisePeak(now);
        if (now >= releaseAt)
        {
            released.TrySetResult();
        }

        try
        {
            await released.Task.WaitAsync(atMost, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Interlocked.Increment(ref timedOut);
        }
        finally
        {
            Interlocked.Decrement(ref current);
        }
    }

    private void RaisePeak(int now)
    {
        var seen = Volatile.Read(ref peak);
        while (now > seen)
        {
            var previous = Interlocked.CompareExchange(ref peak, now, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
