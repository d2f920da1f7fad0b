using DurableEval.Workflows.Shared;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// Exposes its progress through queries and takes a validated update, so a fact can read live and completed
/// state, compare history lengths around queries, and see the validator refuse a bad update before it is
/// accepted while a good one returns its value synchronously.
/// </summary>
[Workflow]
public class QueryableProgressWorkflow
{
    public const int MaxTarget = 100;

    private bool finished;

    /// <summary>
    /// Counts entries into the run method per workflow id from outside workflow state, so a fact can see a query
    /// on a completed run being answered by replaying its history. Observation only; it never steers the workflow.
    /// </summary>
    public static InvocationCounter RunEntries { get; } = new();

    [WorkflowQuery]
    public ProgressState State { get; private set; } = new(0, 0);

    [WorkflowRun]
    public async Task<ProgressState> RunAsync()
    {
        RunEntries.Increment(Workflow.Info.WorkflowId);
        await Workflow.WaitConditionAsync(() => finished);
        return State;
    }

    [WorkflowSignal]
    public Task StepAsync()
    {
        State = State with { Steps = State.Steps + 1 };
        return Task.CompletedTask;
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finished = true;
        return Task.CompletedTask;
    }

    /// <summary>Sets the target and returns the steps still missing to reach it, computed from workflow state.</summary>
    [WorkflowUpdate]
    public Task<int> SetTargetAsync(int target)
    {
        State = State with { Target = target };
        return Task.FromResult(target - State.Steps);
    }

    [WorkflowUpdateValidator(nameof(SetTargetAsync))]
    public void ValidateSetTarget(int target)
    {
        if (target is < 1 or > MaxTarget)
        {
            throw new ApplicationFailureException($"target {target} is outside 1..{MaxTarget}", nonRetryable: true);
        }
    }

    /// <summary>A query handler that fails, to see how a failing query surfaces to the caller.</summary>
    [WorkflowQuery]
    public int BrokenQuery() => throw new InvalidOperationException("query boom");
}

/// <summary>Signalled steps and the target set by update.</summary>
public sealed record ProgressState(int Steps, int Target);
