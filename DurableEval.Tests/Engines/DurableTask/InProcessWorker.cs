using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// Stops and restarts the in-process host's one worker (its hosted DurableTaskWorker) while the in-memory backend and
/// the client keep running: the nearest this host comes to "no worker runs" and "the worker is replaced".
/// </summary>
public static class InProcessWorker
{
    /// <summary>The host's worker, or null when the host's services hold none (then the caller records its check "not run").</summary>
    public static DurableTaskWorker? Find(InProcessBlock block) =>
        block.Host.Services.GetServices<IHostedService>().OfType<DurableTaskWorker>().FirstOrDefault();

    /// <summary>Stops the worker, runs <paramref name="whileStopped"/>, then starts it again (always, so the host can be disposed).</summary>
    public static async Task WhileStoppedAsync(DurableTaskWorker worker, CancellationToken cancellation, Func<Task> whileStopped)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(InProcessBlock.WaitBound);
        await worker.StopAsync(bound.Token);
        try
        {
            await whileStopped();
        }
        finally
        {
            await worker.StartAsync(bound.Token);
        }
    }
}
