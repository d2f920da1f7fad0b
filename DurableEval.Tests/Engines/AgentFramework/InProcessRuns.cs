using System.Collections.Concurrent;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Tests.AgentFramework;

/// <summary>Driving a run in this process up to a point and abandoning it there, as a crash of its process would.</summary>
internal static class InProcessRuns
{
    /// <summary>
    /// Watches <paramref name="run"/> until <paramref name="reached"/> completes (false when it did not within
    /// <paramref name="bound"/>), then abandons it: the watch is cancelled, <paramref name="crash"/> ends the work in
    /// flight, and the run is disposed. Returns whether the point was reached and the checkpoints the run announced.
    /// </summary>
    public static async Task<(bool Reached, IReadOnlyList<CheckpointInfo> Checkpoints)> RunUntilAsync(
        StreamingRun run, Task reached, Action crash, int checkpointsExpected, TimeSpan bound)
    {
        var checkpoints = new ConcurrentQueue<CheckpointInfo>();
        using var stop = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in run.WatchStreamAsync(stop.Token))
                {
                    if (e is SuperStepCompletedEvent { CompletionInfo.Checkpoint: { } checkpoint })
                    {
                        checkpoints.Enqueue(checkpoint);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var ok = await Task.WhenAny(reached, Task.Delay(bound)) == reached;

        // The checkpoint events may trail the step that follows them; they were committed before it started.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (ok && checkpoints.Count < checkpointsExpected && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        crash();
        await run.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await watch.WaitAsync(TimeSpan.FromSeconds(5));
        return (ok, checkpoints.ToList());
    }
}
