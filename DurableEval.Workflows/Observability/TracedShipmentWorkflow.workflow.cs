using Temporalio.Workflows;

namespace DurableEval.Workflows.Observability;

/// <summary>
/// A traced flow across every boundary: an activity in the first workflow task, a query while it waits, a signal
/// that releases it, then a second activity in a later task (which, with no workflow cache, replays the first).
/// </summary>
[Workflow]
public class TracedShipmentWorkflow
{
    private bool released;

    [WorkflowQuery]
    public string Stage { get; private set; } = "new";

    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        var packed = await Workflow.ExecuteActivityAsync((ShipmentActivities a) => a.PackAsync(order), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        Stage = "packed";
        await Workflow.WaitConditionAsync(() => released);
        var shipped = await Workflow.ExecuteActivityAsync((ShipmentActivities a) => a.ShipAsync(packed), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        Stage = "shipped";
        return shipped;
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        released = true;
        return Task.CompletedTask;
    }
}
