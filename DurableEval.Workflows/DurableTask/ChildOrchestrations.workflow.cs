using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A child's work: square <see cref="Value"/>, or fail with a message naming it.</summary>
public sealed record ChildRequest(int Value, bool Fail);

/// <summary>The child's answer and the parent it saw in its own context.</summary>
public sealed record ChildReport(int Square, string? ParentInstanceId);

/// <summary>What the parent received from its child: the report, or the failure as the parent caught it.</summary>
public sealed record ParentOutcome(ChildReport? Report, string? ExceptionType, string? ErrorType, string? ErrorMessage);

/// <summary>The sub-orchestration: squares its value or throws.</summary>
public sealed class SquareChildOrchestrator : TaskOrchestrator<ChildRequest, ChildReport>
{
    public override Task<ChildReport> RunAsync(TaskOrchestrationContext context, ChildRequest input) =>
        input.Fail
            ? throw new InvalidOperationException($"child {input.Value} failed")
            : Task.FromResult(new ChildReport(input.Value * input.Value, context.Parent?.InstanceId));
}

/// <summary>Calls the child under a known instance id (parent id + "-child") and reports what came back.</summary>
public sealed class CallChildOrchestrator : TaskOrchestrator<ChildRequest, ParentOutcome>
{
    public override async Task<ParentOutcome> RunAsync(TaskOrchestrationContext context, ChildRequest input)
    {
        try
        {
            var report = await context.CallSubOrchestratorAsync<ChildReport>(nameof(SquareChildOrchestrator), input, new TaskOptions().WithInstanceId($"{context.InstanceId}-child"));
            return new ParentOutcome(report, null, null, null);
        }
        catch (TaskFailedException e)
        {
            return new ParentOutcome(null, nameof(TaskFailedException), e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage);
        }
    }
}

/// <summary>A child that waits for "release", so its parent can be ended while it runs.</summary>
public sealed class WaitingChildOrchestrator : TaskOrchestrator<string, string>
{
    public const string Release = "release";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        await context.WaitForExternalEvent<string>(Release);
}

/// <summary>Awaits a waiting child started under parent id + "-child".</summary>
public sealed class ParentOfWaitingChildOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        await context.CallSubOrchestratorAsync<string>(nameof(WaitingChildOrchestrator), input, new TaskOptions().WithInstanceId($"{context.InstanceId}-child"));
}
