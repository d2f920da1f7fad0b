using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;

namespace DurableEval.Tests.AgentFramework;

/// <summary>What one human-in-the-loop run showed, before and after the response.</summary>
public sealed record ApprovalObservation(
    string Order,
    ApprovalDecision Decision,
    string? RequestPort,
    string? RequestedOrder,
    RunStatus? StatusWhileWaiting,
    int DecideRunsBeforeResponse,
    string? OutputBeforeResponse,
    bool Restarted,
    bool RequestReEmittedAfterRestart,
    string? Output,
    string? Error,
    int SubmitRuns,
    int DecideRuns,
    double AnsweredAfterMilliseconds = 0)
{
    public string Expected => ApprovalWorkflow.Verdict(Order, Decision);

    /// <summary>The run halted at the port with the order it asked about, and nothing downstream of the port ran.</summary>
    public bool Paused => RequestPort == ApprovalWorkflow.PortId && RequestedOrder == Order && DecideRunsBeforeResponse == 0 && OutputBeforeResponse is null;

    /// <summary>The run went on with the response: it yielded the verdict computed from it, each executor having run once.</summary>
    public bool ContinuedWithResponse => Output == Expected && SubmitRuns == 1 && DecideRuns == 1;

    public string DescribePause() =>
        $"request on port '{RequestPort ?? "none"}' for '{RequestedOrder ?? "nothing"}' (expected '{ApprovalWorkflow.PortId}' for '{Order}'); status while waiting {StatusWhileWaiting?.ToString() ?? "unknown"}; "
        + $"'decide' ran {DecideRunsBeforeResponse} time(s) and the run yielded {(OutputBeforeResponse is null ? "nothing" : $"'{OutputBeforeResponse}'")} before the response";

    public string DescribeEnd() =>
        $"{(Restarted ? $"after a restart (fresh checkpoint manager over the folder), the pending request was {(RequestReEmittedAfterRestart ? "re-emitted" : "not re-emitted")}; " : string.Empty)}"
        + $"output {(Output is null ? "none" : $"'{Output}'")}{(Error is null ? string.Empty : $" ({Error})")}, expected '{Expected}'; 'submit' ran {SubmitRuns} time(s), 'decide' {DecideRuns}";
}

/// <summary>
/// Runs <see cref="ApprovalWorkflow"/> checkpointed to a folder: up to its request (the run halts), then, optionally
/// after a restart (the first run abandoned, a fresh manager resuming from the latest checkpoint), answers it.
/// </summary>
public static class ApprovalRun
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static async Task<ApprovalObservation> RunAsync(
        string order, ApprovalDecision decision, bool restart, string? answerOnPort, CancellationToken cancellation, TimeSpan? answerAfter = null)
    {
        var folder = AgentFrameworkHostInfo.NewCheckpointFolder("approval");
        var session = $"af-approval-{Guid.NewGuid():N}";
        var counter = new ExecutorCounter();
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            bound.CancelAfter(Bound);
            ExternalRequest? asked;
            RunStatus? waiting = null;
            int decideBefore;
            string? outputBefore;
            RunEnd end;
            var reEmitted = false;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double answeredAfter = 0;
            ExternalResponse Answer(ExternalRequest request) => answerOnPort is null
                ? request.CreateResponse(decision)
                : new ExternalResponse(new RequestPortInfo(request.PortInfo.RequestType, request.PortInfo.ResponseType, answerOnPort), request.RequestId, new PortableValue(decision));

            var (manager, store) = CheckpointedRuns.InFolder(folder);
            var firstStore = store;
            try
            {
                var run = await InProcessExecution.RunStreamingAsync(ApprovalWorkflow.Build(counter), order, manager, session, bound.Token);
                await using (run)
                {
                    var first = await CheckpointedRuns.WatchAsync(run, onRequest: null, bound.Token);
                    asked = first.Requests.FirstOrDefault();
                    clock.Restart();
                    for (var i = 0; i < 100 && asked is not null; i++)
                    {
                        waiting = await run.GetStatusAsync(bound.Token);
                        if (waiting == RunStatus.PendingRequests)
                        {
                            break;
                        }

                        await Task.Delay(20, bound.Token);
                    }

                    decideBefore = counter[ApprovalWorkflow.DecideId];
                    outputBefore = first.Output;
                    if (asked is null || restart)
                    {
                        end = first;
                    }
                    else
                    {
                        // An application's deadline: its own timer answers the pending request (the framework has none).
                        if (answerAfter is { } delay)
                        {
                            await Task.Delay(delay, bound.Token);
                        }

                        answeredAfter = clock.Elapsed.TotalMilliseconds;
                        await run.SendResponseAsync(Answer(asked));
                        end = await CheckpointedRuns.WatchAsync(run, onRequest: null, bound.Token);
                    }
                }
            }
            finally
            {
                firstStore.Dispose();
            }

            if (asked is not null && restart)
            {
                var (manager2, store2) = CheckpointedRuns.InFolder(folder);
                using (store2)
                {
                    var latest = await manager2.GetLatestCheckpointAsync(session, bound.Token)
                        ?? throw new InvalidOperationException($"no checkpoint for {session} after the request");
                    await using var resumed = await InProcessExecution.ResumeStreamingAsync(ApprovalWorkflow.Build(counter), latest, manager2, bound.Token);
                    end = await CheckpointedRuns.WatchAsync(resumed, request =>
                    {
                        reEmitted = true;
                        return Answer(request);
                    }, bound.Token);
                    if (!reEmitted && end.Output is null && end.Error is null)
                    {
                        // Not re-emitted: the application answers the request it saved before the restart.
                        await resumed.SendResponseAsync(Answer(asked));
                        end = await CheckpointedRuns.WatchAsync(resumed, onRequest: null, bound.Token);
                    }
                }
            }

            return new ApprovalObservation(
                order, decision, asked?.PortInfo.PortId, requestedOrder(asked), waiting, decideBefore, outputBefore, restart, reEmitted,
                end.Output, end.Error, counter[ApprovalWorkflow.SubmitId], counter[ApprovalWorkflow.DecideId], answeredAfter);
        }
        finally
        {
            AgentFrameworkHostInfo.DeleteQuietly(folder);
        }

        static string? requestedOrder(ExternalRequest? request) =>
            request is not null && request.TryGetDataAs<ApprovalRequest>(out var data) ? data.Order : null;
    }
}
