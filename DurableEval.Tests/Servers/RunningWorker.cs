using Temporalio.Client;
using Temporalio.Worker;

namespace DurableEval.Tests.Servers;

/// <summary>
/// A worker polling in the background until stopped. Stopping it mid-run is the in-process variant of losing a
/// worker: graceful, so it is recorded as the weak variant wherever a fact relies on it.
/// </summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task run;

    private RunningWorker(ITemporalClient client, TemporalWorkerOptions options)
    {
        Worker = new TemporalWorker(client, options);
        run = Worker.ExecuteAsync(stop.Token);
    }

    public TemporalWorker Worker { get; }

    public static RunningWorker Start(ITemporalClient client, TemporalWorkerOptions options) => new(client, options);

    public async Task StopAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // The expected end of a worker told to stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Worker.Dispose();
        stop.Dispose();
    }
}
