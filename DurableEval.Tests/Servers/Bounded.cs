namespace DurableEval.Tests.Servers;

/// <summary>Starts a server within a time bound; a start that finishes late is disposed, never leaked.</summary>
internal static class Bounded
{
    public static async Task<T> StartAsync<T>(Func<Task<T>> start, TimeSpan timeout)
        where T : IAsyncDisposable
    {
        var task = start();
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _ = task.ContinueWith(t => t.Result.DisposeAsync().AsTask(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0} s (raise DURABLEEVAL_SERVER_START_TIMEOUT_SECONDS if the server is just slow)");
        }
    }
}
