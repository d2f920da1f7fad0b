using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// Waits for an approval signal with a timeout and reports, in workflow time, how long it waited and whether the
/// approval or the timeout ended the wait; a fact drives it into each ending and into cancellation.
/// </summary>
[Workflow]
public class ApprovalWaitWorkflow
{
    private string? approver;

    /// <summary>True once the first workflow task has set up the wait (the run is safe to signal or cancel).</summary>
    [WorkflowQuery]
    public bool Waiting { get; private set; }

    [WorkflowRun]
    public async Task<ApprovalOutcome> RunAsync(TimeSpan timeout)
    {
        var started = Workflow.UtcNow;
        Waiting = true;
        var approved = await Workflow.WaitConditionAsync(() => approver is not null, timeout);
        return new(approved, approver, Workflow.UtcNow - started);
    }

    [WorkflowSignal]
    public Task ApproveAsync(string by)
    {
        approver = by;
        return Task.CompletedTask;
    }
}

/// <summary>Whether the condition held before the timeout, who approved, and the workflow time spent waiting.</summary>
public sealed record ApprovalOutcome(bool Approved, string? Approver, TimeSpan Waited);
