using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// Runs one child that succeeds and one that fails, and returns what reached the parent from each: the result,
/// and the failure's exception chain as the parent caught it (the parent observes, the fact judges).
/// </summary>
[Workflow]
public class ChildOutcomesReachParentWorkflow
{
    [WorkflowRun]
    public async Task<ChildOutcomes> RunAsync(string input)
    {
        var result = await Workflow.ExecuteChildWorkflowAsync(
            (EchoChildWorkflow c) => c.RunAsync(input),
            new() { Id = $"{Workflow.Info.WorkflowId}-echo", ExecutionTimeout = TimeSpan.FromMinutes(10) });

        try
        {
            await Workflow.ExecuteChildWorkflowAsync(
                (RefusingChildWorkflow c) => c.RunAsync(input),
                new() { Id = $"{Workflow.Info.WorkflowId}-refuse", ExecutionTimeout = TimeSpan.FromMinutes(10) });
            return new(result, null);
        }
        catch (ChildWorkflowFailureException e)
        {
            var inner = e.InnerException as ApplicationFailureException;
            return new(result, new(
                e.GetType().Name,
                e.WorkflowId,
                e.RetryState.ToString(),
                e.InnerException?.GetType().Name,
                inner?.ErrorType,
                e.InnerException?.Message));
        }
    }
}

public sealed record ChildOutcomes(string Result, ChildFailureSeen? Failure);

public sealed record ChildFailureSeen(
    string ExceptionType, string ChildId, string RetryState, string? InnerType, string? InnerErrorType, string? InnerMessage);

/// <summary>Returns its input and the parent it was started by, as the child itself sees it.</summary>
[Workflow]
public class EchoChildWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string input) => Task.FromResult($"echo:{input}|parent={Workflow.Info.Parent?.WorkflowId}");
}

/// <summary>Fails with an application error that must reach the parent intact.</summary>
[Workflow]
public class RefusingChildWorkflow
{
    public const string ErrorType = "ChildRefused";

    [WorkflowRun]
    public Task<string> RunAsync(string input) =>
        Task.FromException<string>(new ApplicationFailureException($"child refused {input}", ErrorType, nonRetryable: true));
}

/// <summary>
/// Starts three children that wait for a release signal, one per parent close policy, and completes at once,
/// returning their ids so a fact can see what each policy did to its child when the parent closed.
/// </summary>
[Workflow]
public class ParentClosePoliciesWorkflow
{
    [WorkflowRun]
    public async Task<IReadOnlyDictionary<string, string>> RunAsync()
    {
        var ids = new Dictionary<string, string>();
        foreach (var policy in new[] { ParentClosePolicy.Terminate, ParentClosePolicy.Abandon, ParentClosePolicy.RequestCancel })
        {
            var child = await Workflow.StartChildWorkflowAsync(
                (WaitsForReleaseChildWorkflow c) => c.RunAsync(),
                new()
                {
                    Id = $"{Workflow.Info.WorkflowId}-{policy.ToString().ToLowerInvariant()}",
                    ParentClosePolicy = policy,
                    ExecutionTimeout = TimeSpan.FromMinutes(10),
                });
            ids[policy.ToString()] = child.Id;
        }

        return ids;
    }
}

/// <summary>Waits for a release signal; when cancelled it cleans up and ends as cancelled (it does not swallow it).</summary>
[Workflow]
public class WaitsForReleaseChildWorkflow
{
    private bool released;

    [WorkflowQuery]
    public bool CleanedUp { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        try
        {
            await Workflow.WaitConditionAsync(() => released);
            return "released";
        }
        catch (OperationCanceledException)
        {
            CleanedUp = true;
            throw;
        }
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        released = true;
        return Task.CompletedTask;
    }
}
