using System.Diagnostics;

namespace DurableEval.Tests.Servers;

/// <summary>How a block's server was obtained: started ahead by the pool, or on demand; and what it cost the block.</summary>
public sealed record PoolTake<T>(T Server, bool PreStarted, double StartMs, double WaitedMs, string Note);

/// <summary>
/// A small bounded pool that starts the next fresh servers while blocks run, so a block waits less for its own.
/// At most <c>maxIdle</c> servers are started and not yet taken, and they are started one at a time (a JVM start is
/// CPU-heavy; two at once on two cores would slow the blocks running beside them). Nothing is started before the
/// first take (a run that needs no such server starts none); <see cref="PauseAsync"/> stops refilling and waits
/// for a start in progress, so timing-sensitive facts run with no start beside them; every server started and not
/// taken is stopped on dispose, none leaked. Each server is still used by exactly one block.
/// </summary>
public sealed class ServerPool<T> : IAsyncDisposable
    where T : class
{
    private readonly Func<Task<(T Server, string Note)>> start;
    private readonly Func<T, ValueTask> stop;
    private int maxIdle;
    private readonly Lock gate = new();
    private readonly Queue<Task<(T Server, double StartMs, string Note)>> idle = new();
    private Task? starting;
    private bool paused;
    private bool disposed;
    private int started;
    private int stopped;

    public ServerPool(int maxIdle, Func<Task<(T Server, string Note)>> start, Func<T, ValueTask> stop)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdle);
        this.maxIdle = maxIdle;
        this.start = start;
        this.stop = stop;
    }

    /// <summary>Servers started so far (taken, idle or stopped unused); for the leak self-tests.</summary>
    public int Started => Volatile.Read(ref started);

    /// <summary>Idle servers the pool stopped because no block took them.</summary>
    public int StoppedUnused => Volatile.Read(ref stopped);

    /// <summary>
    /// A fresh server for one block: the oldest one started ahead when there is one (waiting for it to finish
    /// starting if need be), else one started now. Then the pool refills in the background.
    /// </summary>
    public async Task<PoolTake<T>> TakeAsync()
    {
        Task<(T Server, double StartMs, string Note)>? ahead;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            idle.TryDequeue(out ahead);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            if (ahead is not null)
            {
                var (server, startMs, note) = await ahead;
                return new PoolTake<T>(server, true, startMs, clock.Elapsed.TotalMilliseconds, note);
            }

            var now = await StartOneAsync();
            return new PoolTake<T>(now.Server, false, now.StartMs, clock.Elapsed.TotalMilliseconds, now.Note);
        }
        finally
        {
            Refill();
        }
    }

    /// <summary>
    /// Raises the idle bound to <paramref name="idle"/> (never lowers it) and refills: used once, before the facts that
    /// run alone, so that their servers are started beside the last parallel facts instead of one by one in front
    /// of each of them while nothing else may run.
    /// </summary>
    public void Reserve(int idle)
    {
        lock (gate)
        {
            maxIdle = Math.Max(maxIdle, idle);
        }

        Refill();
    }

    /// <summary>Stops refilling and waits for a start in progress, so nothing starts beside a timing-sensitive fact.</summary>
    public async Task PauseAsync()
    {
        Task? inProgress;
        lock (gate)
        {
            paused = true;
            inProgress = starting;
        }

        if (inProgress is not null)
        {
            await inProgress.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public void Resume()
    {
        lock (gate)
        {
            paused = false;
        }

        Refill();
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<(T Server, double StartMs, string Note)>> left;
        lock (gate)
        {
            disposed = true;
            left = [.. idle];
            idle.Clear();
        }

        foreach (var pending in left)
        {
            try
            {
                var (server, _, _) = await pending;
                await stop(server);
                Interlocked.Increment(ref stopped);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A start that failed left nothing running; the block that would have taken it never came.
            }
        }
    }

    private async Task<(T Server, double StartMs, string Note)> StartOneAsync()
    {
        var clock = Stopwatch.StartNew();
        var (server, note) = await start();
        Interlocked.Increment(ref started);
        return (server, clock.Elapsed.TotalMilliseconds, note);
    }

    // One start at a time in the background; each finished start refills again until maxIdle are idle.
    private void Refill()
    {
        lock (gate)
        {
            if (disposed || paused || starting is not null || idle.Count >= maxIdle)
            {
                return;
            }

            var next = Task.Run(StartOneAsync);
            idle.Enqueue(next);
            starting = next.ContinueWith(
                t =>
                {
                    lock (gate)
                    {
                        starting = null;
                    }

                    // A failed start is handed to the block that takes it (which then reports why); do not start more.
                    if (t.IsCompletedSuccessfully)
                    {
                        Refill();
                    }
                },
                TaskScheduler.Default);
        }
    }
}
