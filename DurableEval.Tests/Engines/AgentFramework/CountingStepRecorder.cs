using System.Collections.Concurrent;
using DurableEval.Workflows.AgentFramework;

namespace DurableEval.Tests.AgentFramework;

/// <summary>
/// Counts the chain's raw step executions in memory, and can hold one step in flight (as a crash would find it)
/// until <see cref="Crash"/> abandons it.
/// </summary>
internal sealed class CountingStepRecorder : IStepRecorder, IDisposable
{
    private readonly ConcurrentDictionary<int, int> started = new();
    private readonly CancellationTokenSource crash = new();
    private readonly TaskCompletionSource holdReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The step whose first execution is held until the crash; null holds nothing.</summary>
    public int? HoldAt { get; init; }

    /// <summary>Completes when the held step has started.</summary>
    public Task HoldReached => holdReached.Task;

    public string Started(string session, int step, string executorId)
    {
        started.AddOrUpdate(step, 1, (_, n) => n + 1);
        return Guid.NewGuid().ToString("N");
    }

    public void Completed(string session, int step, string executorId, string execution)
    {
    }

    public async Task WorkAsync(string session, int step, CancellationToken cancellation)
    {
        if (step == HoldAt && !crash.IsCancellationRequested)
        {
            holdReached.TrySetResult();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, crash.Token);
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }

        await Task.Yield();
    }

    /// <summary>Executions started so far, per step.</summary>
    public IReadOnlyDictionary<int, int> Snapshot() => new Dictionary<int, int>(started);

    /// <summary>Ends the held step as a killed process would: it never completes.</summary>
    public void Crash() => crash.Cancel();

    public void Dispose()
    {
        crash.Cancel();
        crash.Dispose();
    }
}
