using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>Waits for the "finish" event and returns its input joined to the event's payload: a long-lived run to start duplicates against.</summary>
public sealed class AwaitFinishOrchestrator : TaskOrchestrator<string, string>
{
    public const string FinishEvent = "finish";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var payload = await context.WaitForExternalEvent<string>(FinishEvent);
        return $"{input}|{payload}";
    }
}

/// <summary>What a wait ended on: the approval (with the reviewer), or the timeout.</summary>
public sealed record ApprovalOutcome(bool Approved, string? Reviewer, string EndedBy);

/// <summary>Waits up to <c>timeoutMs</c> for an "approve" event carrying the reviewer (WaitForExternalEvent with a timeout, a durable timer underneath).</summary>
public sealed class ApprovalWaitOrchestrator : TaskOrchestrator<int, ApprovalOutcome>
{
    public const string ApproveEvent = "approve";

    public override async Task<ApprovalOutcome> RunAsync(TaskOrchestrationContext context, int input)
    {
        try
        {
            var reviewer = await context.WaitForExternalEvent<string>(ApproveEvent, TimeSpan.FromMilliseconds(input));
            return new ApprovalOutcome(true, reviewer, "event");
        }
        catch (TaskCanceledException)
        {
            return new ApprovalOutcome(false, null, "timeout");
        }
    }
}

/// <summary>Observations of a condition wait: the totals it saw, in order, and what made it resume.</summary>
public sealed record ConditionOutcome(IReadOnlyList<int> Seen, int Total);

/// <summary>
/// Waits on an arbitrary condition (the signalled total reaching the target) by waiting for "add" events one at a
/// time; the running total and the values so far are its custom status, the pattern Durable Task offers for queries.
/// </summary>
public sealed class SignalledTotalOrchestrator : TaskOrchestrator<int, ConditionOutcome>
{
    public const string AddEvent = "add";

    public override async Task<ConditionOutcome> RunAsync(TaskOrchestrationContext context, int input)
    {
        var seen = new List<int>();
        context.SetCustomStatus(new ConditionOutcome(seen, 0));
        while (seen.Sum() < input)
        {
            seen.Add(await context.WaitForExternalEvent<int>(AddEvent));
            context.SetCustomStatus(new ConditionOutcome(seen.ToList(), seen.Sum()));
        }

        return new ConditionOutcome(seen, seen.Sum());
    }
}

/// <summary>Races a durable timer of <c>timerMs</c> against a "go" event; the loser is cancelled (the timer through its token).</summary>
public sealed class FirstOfSeveralOrchestrator : TaskOrchestrator<int, string>
{
    public const string GoEvent = "go";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, int input)
    {
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(TimeSpan.FromMilliseconds(input), cancelTimer.Token);
        var go = context.WaitForExternalEvent<string>(GoEvent);
        var winner = await Task.WhenAny(timer, go);
        if (winner == go)
        {
            // Cancel, not CancelAsync: the orchestrator must stay on its own thread; an async cancel would resume it elsewhere.
#pragma warning disable CA1849
            cancelTimer.Cancel();
#pragma warning restore CA1849
            return "event";
        }

        return "timer";
    }
}
