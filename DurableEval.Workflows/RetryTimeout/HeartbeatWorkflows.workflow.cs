using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>A batch of items processed with a heartbeat per item; the first attempt crashes after some of them.</summary>
public sealed record BatchPlan(int Items, int CrashAfterItems);

/// <summary>
/// Processes a batch in one heartbeating activity whose first attempt crashes mid-batch; the retry resumes from
/// the last heartbeat checkpoint instead of starting over.
/// </summary>
[Workflow]
public class ResumesFromCheckpointWorkflow
{
    /// <summary>
    /// Long on purpose: outside a result wait a time-skipping server does not move its clock, so the retry stays
    /// pending while a fact reads what the server recorded; awaiting the result then skips the interval.
    /// </summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(10);

    [WorkflowRun]
    public Task<int> RunAsync(BatchPlan plan) =>
        Workflow.ExecuteActivityAsync(
            (CheckpointActivities a) => a.ProcessBatchAsync(plan),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),

                // Throttles heartbeats to one per 8 s: the crash comes well inside that window.
                HeartbeatTimeout = TimeSpan.FromSeconds(10),
                RetryPolicy = new RetryPolicy { InitialInterval = RetryAfter, MaximumAttempts = 2 },
            });
}

/// <summary>
/// An activity whose first attempt heartbeats once and then stops heartbeating while it hangs; the server times
/// the attempt out on its heartbeat timeout and retries it.
/// </summary>
[Workflow]
public class StalledAttemptRetriedWorkflow
{
    public const string Checkpoint = "page-3";

    [WorkflowRun]
    public Task<string> RunAsync() =>
        Workflow.ExecuteActivityAsync(
            (CheckpointActivities a) => a.StallOnFirstAttemptAsync(Checkpoint),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),

                // Real time on any server (activity timeouts are not skipped), so kept short.
                HeartbeatTimeout = TimeSpan.FromSeconds(1),
                RetryPolicy = new RetryPolicy { InitialInterval = ResumesFromCheckpointWorkflow.RetryAfter, MaximumAttempts = 2 },
            });
}

/// <summary>What the workflow saw when it cancelled its activity.</summary>
public sealed record ActivityCancellationOutcome(string Outcome, string? Cause);

/// <summary>
/// Starts a heartbeating activity, and on a signal cancels it through a cancellation token, waiting until the
/// activity has acknowledged the cancellation.
/// </summary>
[Workflow]
public class CancelsHeartbeatingActivityWorkflow
{
    private bool cancelRequested;

    [WorkflowRun]
    public async Task<ActivityCancellationOutcome> RunAsync()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var activity = Workflow.ExecuteActivityAsync(
            (CheckpointActivities a) => a.HeartbeatUntilCancelledAsync(),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),
                HeartbeatTimeout = TimeSpan.FromSeconds(1),
                RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
                CancellationToken = cancellation.Token,
                CancellationType = ActivityCancellationType.WaitCancellationCompleted,
            });
        await Workflow.WhenAnyAsync(activity, Workflow.WaitConditionAsync(() => cancelRequested));
        if (!activity.IsCompleted)
        {
            // Cancel, not CancelAsync: the async variant runs callbacks on the thread pool, which workflow code must not use.
            cancellation.Cancel();
        }

        try
        {
            return new("completed after " + await activity + " heartbeats", null);
        }
        catch (ActivityFailureException e)
        {
            return new("failed", e.InnerException?.GetType().Name);
        }
    }

    [WorkflowSignal]
    public Task CancelActivityAsync()
    {
        cancelRequested = true;
        return Task.CompletedTask;
    }
}

/// <summary>Heartbeating activities: a checkpointed batch, one that stalls, and one that runs until cancelled.</summary>
public sealed class CheckpointActivities(HeartbeatJournal journal)
{
    public const string CrashErrorType = "MidBatchCrash";

    // Bounds the activity that waits for cancellation, so a cancellation that never arrives ends the probe.
    private const int MaxBeats = 300;
    private static readonly TimeSpan BeatPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StallBound = TimeSpan.FromSeconds(20);

    /// <summary>Processes items from the last checkpoint on, heartbeating the next item to do after each one.</summary>
    [Activity]
    public async Task<int> ProcessBatchAsync(BatchPlan plan)
    {
        var context = ActivityExecutionContext.Current;
        var info = context.Info;
        var key = HeartbeatJournal.KeyOf(info);
        var next = info.HeartbeatDetails.Count > 0 ? await info.HeartbeatDetailAtAsync<int>(0) : 0;
        journal.Resumed(key, info.Attempt, next);
        for (; next < plan.Items; next++)
        {
            journal.Processed(key, info.Attempt, next);
            context.Heartbeat(next + 1);
            journal.Beat(key, info.Attempt, next + 1);
            if (info.Attempt == 1 && next + 1 == plan.CrashAfterItems)
            {
                throw new ApplicationFailureException($"crashed after item {next}", CrashErrorType);
            }
        }

        return plan.Items;
    }

    /// <summary>Attempt 1 heartbeats a checkpoint and then stops heartbeating; later attempts report what they resumed from.</summary>
    [Activity]
    public async Task<string> StallOnFirstAttemptAsync(string checkpoint)
    {
        var context = ActivityExecutionContext.Current;
        var info = context.Info;
        if (info.Attempt == 1)
        {
            context.Heartbeat(checkpoint);
            journal.Beat(HeartbeatJournal.KeyOf(info), info.Attempt, checkpoint);
            return await Stall.UntilStoppedAsync(StallBound);
        }

        var resumed = info.HeartbeatDetails.Count > 0 ? await info.HeartbeatDetailAtAsync<string>(0) : "nothing";
        return $"attempt {info.Attempt} resumed from {resumed}";
    }

    /// <summary>Heartbeats until cancelled and records how the cancellation arrived.</summary>
    [Activity]
    public async Task<int> HeartbeatUntilCancelledAsync()
    {
        var context = ActivityExecutionContext.Current;
        var key = HeartbeatJournal.KeyOf(context.Info);
        var beats = 0;
        try
        {
            while (beats < MaxBeats)
            {
                context.Heartbeat(++beats);
                journal.Beat(key, context.Info.Attempt, beats);
                await Task.Delay(BeatPause, context.CancellationToken);
            }

            return beats;
        }
        catch (OperationCanceledException e) when (context.CancellationToken.IsCancellationRequested)
        {
            journal.Cancelled(key, new(context.CancelReason, context.CancellationDetails?.IsCancelRequested == true, e.GetType().Name, beats, DateTime.UtcNow));
            throw;
        }
    }
}
