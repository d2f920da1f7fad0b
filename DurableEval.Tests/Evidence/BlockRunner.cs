namespace DurableEval.Tests.Evidence;

/// <summary>
/// Runs one block of checks within a time bound. A block that runs too long, or that a watcher says cannot
/// progress, is cancelled, not abandoned: its token is cancelled, the runner waits (bounded) for the body to
/// stop, and the scope is sealed before its results are read, so a late write from a body that ignores the
/// token throws inside that body and never changes what was recorded.
/// </summary>
public static class BlockRunner
{
    /// <summary>How long a cancelled body gets to stop before the runner stops waiting for it.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="body"/>; <paramref name="watch"/> (optional) completes with a one-line reason when the
    /// block cannot progress, and is cancelled when the block ends.
    /// </summary>
    public static async Task<BlockOutcome> RunAsync(
        IReadOnlyList<CheckSpec> specs,
        Func<CheckScope, Task> body,
        TimeSpan timeout,
        TimeSpan stopGrace,
        Func<CancellationToken, Task<string>>? watch = null)
    {
        using var cancel = new CancellationTokenSource();
        using var watchStop = new CancellationTokenSource();
        var scope = new CheckScope(specs, cancel.Token);
        var run = Task.Run(() => body(scope));
        var deadline = Task.Delay(timeout, watchStop.Token);
        var watching = (watch ?? NeverAsync)(watchStop.Token);

        var first = await Task.WhenAny(run, deadline, watching);
        Exception? error = null;
        var stopped = true;
        if (first != run)
        {
            var why = first == deadline
                ? $"block exceeded {timeout.TotalSeconds:0} s"
                : $"block cannot progress: {await ReasonOf(watching)}";
            await cancel.CancelAsync();
            stopped = await StoppedWithinAsync(run, stopGrace);

            // Sealed before reading: whatever the body does from here on is not evidence.
            scope.Seal(why);
            error = new TimeoutException(stopped ? why : $"{why}; the body did not stop within {stopGrace.TotalSeconds:0} s of cancellation and was left behind, its late writes ignored");
        }
        else
        {
            error = run.Exception?.InnerException ?? (run.IsCanceled ? new OperationCanceledException("the block was cancelled") : null);
        }

        await watchStop.CancelAsync();
        await Task.WhenAll(deadline, watching).ContinueWith(_ => { }, TaskScheduler.Default);
        return new BlockOutcome(scope.Complete(error), error, stopped);
    }

    private static async Task<string> NeverAsync(CancellationToken token)
    {
        await Task.Delay(Timeout.Infinite, token);
        return string.Empty;
    }

    private static async Task<string> ReasonOf(Task<string> watching)
    {
        try
        {
            return await watching;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"the watcher failed: {e.Message}";
        }
    }

    private static async Task<bool> StoppedWithinAsync(Task run, TimeSpan grace)
    {
        var stopped = await Task.WhenAny(run, Task.Delay(grace)) == run;
        if (stopped)
        {
            // Observed so an exception the cancellation caused (OperationCanceledException) is not left unobserved.
            _ = run.Exception;
        }
        else
        {
            _ = run.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }

        return stopped;
    }
}

/// <summary>What a block produced: its checks, the error that ended it (if any), and whether its body stopped.</summary>
public sealed record BlockOutcome(IReadOnlyList<Evaluation.CheckResult> Checks, Exception? Error, bool BodyStopped);
