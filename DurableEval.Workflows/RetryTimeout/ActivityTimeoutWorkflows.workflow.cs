using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>The activity timeout a probe provokes.</summary>
public enum ActivityTimeoutKind
{
    ScheduleToClose,
    StartToClose,
    ScheduleToStart,
    Heartbeat,
}

/// <summary>Which timeout to provoke and how long it is; the schedule-to-start probe needs a queue no worker polls.</summary>
public sealed record TimeoutProbe(ActivityTimeoutKind Kind, TimeSpan Timeout, string? UnpolledQueue = null);

/// <summary>
/// Schedules an activity set up so that exactly one timeout can fire first, and lets the resulting failure reach
/// the caller unchanged, so a fact can read the timeout type from it.
/// </summary>
[Workflow]
public class ActivityTimesOutWorkflow
{
    public const string Checkpoint = "checkpoint-before-stall";

    private static readonly RetryPolicy Once = new() { MaximumAttempts = 1 };

    // Long enough that it never fires first; activity timeouts run in real time on a time-skipping server.
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [WorkflowRun]
    public Task<string> RunAsync(TimeoutProbe probe) => probe.Kind switch
    {
        ActivityTimeoutKind.StartToClose => Workflow.ExecuteActivityAsync(
            (StallingActivities a) => a.HangAsync(),
            new() { StartToCloseTimeout = probe.Timeout, RetryPolicy = Once }),

        // Nothing polls the queue, so the task is never started.
        ActivityTimeoutKind.ScheduleToStart => Workflow.ExecuteActivityAsync(
            (StallingActivities a) => a.HangAsync(),
            new() { TaskQueue = probe.UnpolledQueue, ScheduleToStartTimeout = probe.Timeout, StartToCloseTimeout = Generous, RetryPolicy = Once }),

        // The budget spans a retry: attempt 2 starts after the schedule, so its own start-to-close deadline falls
        // after the schedule-to-close deadline and only the latter can fire.
        ActivityTimeoutKind.ScheduleToClose => Workflow.ExecuteActivityAsync(
            (StallingActivities a) => a.FailOnceThenHangAsync(),
            new()
            {
                ScheduleToCloseTimeout = probe.Timeout,
                StartToCloseTimeout = probe.Timeout,
                RetryPolicy = new() { InitialInterval = TimeSpan.FromMilliseconds(200), BackoffCoefficient = 1 },
            }),

        _ => Workflow.ExecuteActivityAsync(
            (StallingActivities a) => a.BeatOnceThenHangAsync(Checkpoint),
            new() { HeartbeatTimeout = probe.Timeout, StartToCloseTimeout = Generous, RetryPolicy = Once }),
    };
}

/// <summary>Runs into a long timer so that only a workflow timeout can end it.</summary>
[Workflow]
public class OutlivesItsTimeoutWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(TimeSpan wait)
    {
        await Workflow.DelayAsync(wait);
        return "timer fired";
    }
}

/// <summary>
/// Activities that stop making progress, the way a hung dependency does, journaling each attempt's start. Each
/// hang is bounded and ends on cancellation or worker shutdown, so an attempt the server has already timed out
/// never outlives its fact.
/// </summary>
public sealed class StallingActivities(AttemptJournal journal)
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(20);

    [Activity]
    public Task<string> HangAsync()
    {
        journal.Record(ActivityExecutionContext.Current.Info);
        return Stall.UntilStoppedAsync(HangBound);
    }

    [Activity]
    public Task<string> FailOnceThenHangAsync()
    {
        var info = ActivityExecutionContext.Current.Info;
        journal.Record(info);
        if (info.Attempt == 1)
        {
            throw new InvalidOperationException("first attempt fails fast; the retry then hangs");
        }

        return Stall.UntilStoppedAsync(HangBound);
    }

    [Activity]
    public Task<string> BeatOnceThenHangAsync(string checkpoint)
    {
        journal.Record(ActivityExecutionContext.Current.Info);
        ActivityExecutionContext.Current.Heartbeat(checkpoint);
        return Stall.UntilStoppedAsync(HangBound);
    }
}

/// <summary>A bounded stall inside an activity: it ends at the bound, on cancellation or on worker shutdown.</summary>
public static class Stall
{
    public static async Task<string> UntilStoppedAsync(TimeSpan bound)
    {
        var context = ActivityExecutionContext.Current;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, context.WorkerShutdownToken);
        try
        {
            await Task.Delay(bound, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped from outside: the server already settled this attempt, so its outcome is never read.
        }

        return "stalled until stopped";
    }
}
