using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>How a watched run ended: its output, or the error that ended it, and every checkpoint it announced, in order.</summary>
public sealed record RunEnd(string? Output, string? Error, IReadOnlyList<CheckpointInfo> Checkpoints, IReadOnlyList<ExternalRequest> Requests);

/// <summary>
/// Starting, resuming and watching checkpointed runs the way an application must: the framework offers
/// <see cref="InProcessExecution.RunStreamingAsync{TInput}(Workflow, TInput, CheckpointManager, string?, CancellationToken)"/>
/// and <see cref="InProcessExecution.ResumeStreamingAsync(Workflow, CheckpointInfo, CheckpointManager, CancellationToken)"/>;
/// deciding which one a run needs after a restart (is there a checkpoint for this session?) is the application's.
/// </summary>
public static class CheckpointedRuns
{
    /// <summary>Runs <paramref name="session"/> from its latest checkpoint in <paramref name="manager"/>, or from the start when it has none.</summary>
    public static async Task<(StreamingRun Run, CheckpointInfo? ResumedFrom)> StartOrResumeAsync<TInput>(
        Workflow workflow, CheckpointManager manager, string session, TInput input, CancellationToken cancellation)
        where TInput : notnull
    {
        var latest = await manager.GetLatestCheckpointAsync(session, cancellation).ConfigureAwait(false);
        return latest is null
            ? (await InProcessExecution.RunStreamingAsync(workflow, input, manager, session, cancellation).ConfigureAwait(false), null)
            : (await InProcessExecution.ResumeStreamingAsync(workflow, latest, manager, cancellation).ConfigureAwait(false), latest);
    }

    /// <summary>
    /// Reads <paramref name="run"/>'s events until it yields output, fails, or its stream ends (the run went idle);
    /// <paramref name="onRequest"/> answers each external request (null leaves it pending and stops watching).
    /// </summary>
    public static async Task<RunEnd> WatchAsync(StreamingRun run, Func<ExternalRequest, ExternalResponse?>? onRequest, CancellationToken cancellation)
    {
        var checkpoints = new List<CheckpointInfo>();
        var requests = new List<ExternalRequest>();
        string? output = null;
        string? error = null;
        await foreach (var e in run.WatchStreamAsync(cancellation).ConfigureAwait(false))
        {
            switch (e)
            {
                case SuperStepCompletedEvent { CompletionInfo.Checkpoint: { } checkpoint }:
                    checkpoints.Add(checkpoint);
                    break;
                case WorkflowOutputEvent o:
                    output = o.Data?.ToString();
                    break;
                case ExecutorFailedEvent f:
                    error ??= $"executor {f.ExecutorId} failed: {Describe(f.Data as Exception)}";
                    break;
                case WorkflowErrorEvent w:
                    error ??= $"workflow error: {Describe(w.Exception)}";
                    return new RunEnd(output, error, checkpoints, requests);
                case RequestInfoEvent r:
                    requests.Add(r.Request);
                    if (onRequest?.Invoke(r.Request) is { } response)
                    {
                        await run.SendResponseAsync(response).ConfigureAwait(false);
                    }
                    else
                    {
                        return new RunEnd(output, error, checkpoints, requests);
                    }

                    break;
            }

            if (output is not null && e is SuperStepCompletedEvent)
            {
                break;
            }
        }

        return new RunEnd(output, error, checkpoints, requests);
    }

    /// <summary>A checkpoint manager over a file-backed JSON store in <paramref name="folder"/>; dispose the store when done.</summary>
    public static (CheckpointManager Manager, FileSystemJsonCheckpointStore Store) InFolder(string folder)
    {
        var store = new FileSystemJsonCheckpointStore(new DirectoryInfo(folder));
        return (CheckpointManager.CreateJson(store), store);
    }

    private static string Describe(Exception? e)
    {
        var inner = e;
        while (inner is System.Reflection.TargetInvocationException { InnerException: { } next })
        {
            inner = next;
        }

        return inner is null ? "no exception" : $"{inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}";
    }
}
