using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// The agent drafts an action (a model call), then waits — days if need be — for a human decision by signal or by
/// validated update, or gives up at the timeout; the waited time is measured in workflow time.
/// </summary>
[Workflow]
public class AgentApprovalWorkflow
{
    /// <summary>The outcome of a run whose decision signal reached it without the decision.</summary>
    public const string SignalWithoutDecision = "signal-without-decision";

    private ApprovalDecision? decision;
    private bool decisionMissing;

    /// <summary>True once the draft exists and the run waits for a human.</summary>
    [WorkflowQuery]
    public bool Waiting { get; private set; }

    [WorkflowRun]
    public async Task<ApprovalResult> RunAsync(string task, TimeSpan timeout)
    {
        var draft = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(new ChatPrompt(task, "Propose one action for a human to approve.")), ModelCallOptions.Default);
        var started = Workflow.UtcNow;
        Waiting = true;
        var decided = await Workflow.WaitConditionAsync(() => decision is not null || decisionMissing, timeout);
        var waited = Workflow.UtcNow - started;
        if (decided && decision is null)
        {
            return new(SignalWithoutDecision, null, waited, draft.Text);
        }

        return decided
            ? new(decision!.Approved ? "approved" : "rejected", decision.Reviewer, waited, draft.Text)
            : new("timed-out", null, waited, draft.Text);
    }

    /// <summary>
    /// The default lets a signal delivered without its input still reach the run (the SDK drops a signal whose
    /// required arguments are missing): the run then ends with <see cref="SignalWithoutDecision"/> at once, rather
    /// than waiting out its timeout as if nobody had decided.
    /// </summary>
    [WorkflowSignal]
    public Task DecideAsync(ApprovalDecision? decided = null)
    {
        if (decided is null)
        {
            decisionMissing = true;
            return Task.CompletedTask;
        }

        decision ??= decided;
        return Task.CompletedTask;
    }

    /// <summary>Rejects a decision without a reviewer, or a second decision; a rejected update is never written to history.</summary>
    [WorkflowUpdateValidator(nameof(ReviewAsync))]
    public void ValidateReview(ApprovalDecision decided)
    {
        if (string.IsNullOrWhiteSpace(decided.Reviewer))
        {
            throw new ArgumentException("a reviewer is required");
        }

        if (decision is not null)
        {
            throw new InvalidOperationException("already decided");
        }
    }

    [WorkflowUpdate]
    public Task<string> ReviewAsync(ApprovalDecision decided)
    {
        decision = decided;
        return Task.FromResult($"recorded {(decided.Approved ? "approval" : "rejection")} by {decided.Reviewer}");
    }
}

public sealed record ApprovalDecision(bool Approved, string Reviewer);

/// <summary>How the wait ended, who decided, the workflow time waited, and the draft the human saw.</summary>
public sealed record ApprovalResult(string Outcome, string? Reviewer, TimeSpan Waited, string Draft);
