using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A reviewer's decision, raised to the waiting orchestration as the "decide" event.</summary>
public sealed record HumanDecision(bool Approved, string? Reviewer);

/// <summary>What the approval run asked for and how long its approval window (a durable timer) is.</summary>
public sealed record HumanApprovalRequest(string Subject, int WindowMs);

/// <summary>How the approval ended, the reviewer, the orchestration time it waited, and how many invalid decisions it ignored.</summary>
public sealed record HumanApprovalResult(string Outcome, string? Reviewer, double WaitedMs, int Ignored);

/// <summary>Custom status while the run waits: the pattern Durable Task offers for reading live state.</summary>
public sealed record HumanApprovalStatus(bool Waiting, int Ignored);

/// <summary>
/// Human approval: a durable timer for the deadline raced against the "decide" event. Durable Task has no validated
/// update, so a decision without a reviewer can only be ignored by the orchestration itself (the caller is never told);
/// the run then keeps waiting on the same deadline.
/// </summary>
public sealed class HumanApprovalOrchestrator : TaskOrchestrator<HumanApprovalRequest, HumanApprovalResult>
{
    public const string DecideEvent = "decide";

    public override async Task<HumanApprovalResult> RunAsync(TaskOrchestrationContext context, HumanApprovalRequest input)
    {
        var started = context.CurrentUtcDateTime;
        using var cancelDeadline = new CancellationTokenSource();
        var deadline = context.CreateTimer(TimeSpan.FromMilliseconds(input.WindowMs), cancelDeadline.Token);
        var ignored = 0;
        while (true)
        {
            context.SetCustomStatus(new HumanApprovalStatus(true, ignored));
            var decision = context.WaitForExternalEvent<HumanDecision>(DecideEvent);
            if (await Task.WhenAny(deadline, decision) == deadline)
            {
                return new HumanApprovalResult("timed-out", null, Waited(context, started), ignored);
            }

            var d = decision.Result;
            if (string.IsNullOrWhiteSpace(d.Reviewer))
            {
                ignored++;
                continue;
            }

            // Cancel, not CancelAsync: the orchestrator must stay on its own thread.
#pragma warning disable CA1849
            cancelDeadline.Cancel();
#pragma warning restore CA1849
            context.SetCustomStatus(new HumanApprovalStatus(false, ignored));
            return new HumanApprovalResult(d.Approved ? "approved" : "rejected", d.Reviewer, Waited(context, started), ignored);
        }
    }

    private static double Waited(TaskOrchestrationContext context, DateTime started) => (context.CurrentUtcDateTime - started).TotalMilliseconds;
}
