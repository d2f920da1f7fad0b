using System.Diagnostics;

namespace DurableEval.Tests.Evidence;

/// <summary>Polls an observation until it holds or a bound passes; the bounded alternative to a fixed sleep.</summary>
public static class Eventually
{
    public static async Task<bool> HoldsAsync(Func<Task<bool>> condition, TimeSpan within, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Temporalio.Exceptions.RpcException) when (clock.Elapsed < within)
            {
                // A query can be refused until the first workflow task completes; keep polling within the bound.
            }
            catch (Temporalio.Exceptions.WorkflowQueryFailedException) when (clock.Elapsed < within)
            {
            }

            if (clock.Elapsed >= within)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellation);
        }
    }
}
