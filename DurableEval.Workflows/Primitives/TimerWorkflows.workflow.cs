using Temporalio.Converters;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Primitives;

/// <summary>Sleeps on a durable timer and returns how far workflow time moved across the sleep.</summary>
[Workflow]
public class DurableSleepWorkflow
{
    [WorkflowRun]
    public async Task<TimeSpan> RunAsync(TimeSpan sleep)
    {
        var before = Workflow.UtcNow;
        await Workflow.DelayAsync(sleep);
        return Workflow.UtcNow - before;
    }
}

/// <summary>
/// Waits on a long timer tied to a cancellation source that a signal cancels; returns whether the wait ended by
/// cancellation and how much workflow time had passed, which must be far less than the timer.
/// </summary>
[Workflow]
public class CancellableTimerWorkflow
{
    private readonly CancellationTokenSource cancel = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);

    [WorkflowQuery]
    public bool Waiting { get; private set; }

    [WorkflowRun]
    public async Task<TimerOutcome> RunAsync(TimeSpan timer)
    {
        var before = Workflow.UtcNow;
        Waiting = true;
        try
        {
            await Workflow.DelayAsync(timer, cancel.Token);
            return new(false, Workflow.UtcNow - before);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !Workflow.CancellationToken.IsCancellationRequested)
        {
            return new(true, Workflow.UtcNow - before);
        }
    }

    [WorkflowSignal]
    public Task CancelTimerAsync()
    {
        // Cancel, not CancelAsync: the latter runs the callbacks on the thread pool, outside the workflow's scheduler.
        cancel.Cancel();
        return Task.CompletedTask;
    }
}

public sealed record TimerOutcome(bool Cancelled, TimeSpan Waited);

/// <summary>
/// One run of a cron (or schedule) chain: it counts itself by adding one to the previous run's result, which
/// Temporal hands each new run as its last result.
/// </summary>
[Workflow]
public class CountsCalendarRunsWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync()
    {
        var last = Workflow.Info.LastResult?.SingleOrDefault();
        var previous = last is null ? 0 : Workflow.PayloadConverter.ToValue<int>(last);
        return Task.FromResult(previous + 1);
    }
}
