using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Version 1 of a shipment: reserve, then ship. Its recorded history is kept with the tests, so replaying it
/// against <see cref="ReorderedShipmentWorkflow"/> shows what a code change does to runs already in flight.
/// </summary>
[Workflow(ShipmentWorkflow.Name)]
public class ShipmentWorkflow
{
    public const string Name = "ShipmentWorkflow";

    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        var reserved = await Workflow.ExecuteActivityAsync(() => ShipmentActivities.Reserve(order), Options);
        var shipped = await Workflow.ExecuteActivityAsync(() => ShipmentActivities.Ship(order), Options);
        return $"{reserved}+{shipped}";
    }

    internal static ActivityOptions Options => new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };
}

/// <summary>
/// An incompatible change to <see cref="ShipmentWorkflow"/> under the same workflow type: it now waits before
/// reserving, so its first command is a timer where history recorded an activity.
/// </summary>
[Workflow(ShipmentWorkflow.Name)]
public class ReorderedShipmentWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
        var reserved = await Workflow.ExecuteActivityAsync(() => ShipmentActivities.Reserve(order), ShipmentWorkflow.Options);
        var shipped = await Workflow.ExecuteActivityAsync(() => ShipmentActivities.Ship(order), ShipmentWorkflow.Options);
        return $"{reserved}+{shipped}";
    }
}

public static class ShipmentActivities
{
    [Activity]
    public static string Reserve(string order) => $"reserved:{order}";

    [Activity]
    public static string Ship(string order) => $"shipped:{order}";
}
