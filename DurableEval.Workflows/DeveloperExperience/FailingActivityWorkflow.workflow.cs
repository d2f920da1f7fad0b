using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

public static class InventoryActivities
{
    [Activity]
    public static Task<int> ReserveAsync(string sku) =>
        throw new InvalidOperationException($"inventory for {sku} is negative");
}

/// <summary>Calls an activity that throws a plain .NET exception, with no retries: the chain the caller sees is the evidence.</summary>
[Workflow]
public class FailingActivityWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync(string sku) =>
        Workflow.ExecuteActivityAsync(
            () => InventoryActivities.ReserveAsync(sku),
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } });
}
