using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Compensation;

/// <summary>
/// A run paused until an operator releases it with a signal. If an operator cancels it instead, it sees the
/// cancellation, runs its cleanup activity on a detached token and ends cancelled; terminated, it gets no say.
/// </summary>
[Workflow]
public class PausedUntilReleasedWorkflow
{
    /// <summary>What the run records as its release note when the release signal reached it without one.</summary>
    public const string ArrivedWithoutNote = "(release arrived without a note)";

    private bool released;

    [WorkflowQuery]
    public string State { get; private set; } = "starting";

    /// <summary>The operator's note the release signal carried; the run's remaining work is done under it.</summary>
    [WorkflowQuery]
    public string? ReleaseNote { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        try
        {
            State = "paused";
            await Workflow.WaitConditionAsync(() => released);
            State = "released";
            var note = ReleaseNote;
            return await Workflow.ExecuteActivityAsync((OperatorActivities a) => a.Work(note!), OperatorActivities.Options);
        }
        catch (Exception e) when (TemporalException.IsCanceledException(e))
        {
            State = "cleaning up";
            using var detached = new CancellationTokenSource();
            await Workflow.ExecuteActivityAsync(
                (OperatorActivities a) => a.Cleanup(),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(30), CancellationToken = detached.Token });
            throw;
        }
    }

    /// <summary>
    /// Releases the run with the operator's note. The default lets a signal delivered without its input still reach
    /// the run (the SDK drops a signal whose required arguments are missing), so the lost note is seen as
    /// <see cref="ArrivedWithoutNote"/> instead of as a run that never wakes.
    /// </summary>
    [WorkflowSignal]
    public Task ReleaseAsync(string? note = null)
    {
        ReleaseNote = note ?? ArrivedWithoutNote;
        released = true;
        return Task.CompletedTask;
    }
}

/// <summary>
/// A run stuck on a downstream call that fails forever (unlimited retries); an operator's "skip" update cancels
/// the call and lets the run proceed, reporting how many attempts it made before.
/// </summary>
[Workflow]
public class StuckOnDownstreamWorkflow
{
    private string? skipReason;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        using var call = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var downstream = Workflow.ExecuteActivityAsync(
            (OperatorActivities a) => a.CallDownstream(),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(5),
                RetryPolicy = new() { InitialInterval = TimeSpan.FromMilliseconds(200), BackoffCoefficient = 1 },
                CancellationToken = call.Token,
            });
        var skipped = Workflow.WaitConditionAsync(() => skipReason is not null);
        if (await Workflow.WhenAnyAsync(downstream, skipped) == downstream)
        {
            return await downstream;
        }

        call.Cancel();
        try
        {
            await downstream;
        }
        catch (ActivityFailureException e) when (TemporalException.IsCanceledException(e))
        {
            // The expected end of the call the operator skipped.
        }

        return $"skipped: {skipReason}";
    }

    [WorkflowUpdate]
    public Task<string> SkipAsync(string reason)
    {
        skipReason = reason;
        return Task.FromResult("skip accepted");
    }
}

public sealed class OperatorActivities(InvocationCounter counter)
{
    public static ActivityOptions Options => new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    public static string Key(string workflowId, string activity) => $"{workflowId}/{activity}";

    [Activity]
    public string Work(string what) => Count(nameof(Work), what);

    [Activity]
    public string Cleanup() => Count(nameof(Cleanup), "cleaned up");

    [Activity]
    public string CallDownstream()
    {
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        Count(nameof(CallDownstream), string.Empty);
        throw new ApplicationFailureException($"downstream unavailable (attempt {attempt})", "DownstreamUnavailable");
    }

    private string Count(string activity, string result)
    {
        counter.Increment(Key(ActivityExecutionContext.Current.Info.WorkflowId ?? "standalone", activity));
        return result;
    }
}
