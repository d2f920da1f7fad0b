using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// The order flow a replay gate guards, and the changes a developer might make to it. Every order reserves and
/// ships; an express order (input starting "express") expedites between the two. The activities are named, not
/// registered: the gate replays recorded histories, where a step's result comes from the history.
/// </summary>
public static class OrderSteps
{
    public const string Reserve = "Reserve";
    public const string Hold = "Hold";
    public const string Expedite = "Expedite";
    public const string Ship = "Ship";

    public static bool IsExpress(string order) => order.StartsWith("express", StringComparison.Ordinal);
}

/// <summary>The code the corpus was recorded with.</summary>
public sealed class OrderFlowOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string order)
    {
        var steps = new List<string> { await context.CallActivityAsync<string>(OrderSteps.Reserve, order) };
        if (OrderSteps.IsExpress(order))
        {
            steps.Add(await context.CallActivityAsync<string>(OrderSteps.Expedite, order));
        }

        steps.Add(await context.CallActivityAsync<string>(OrderSteps.Ship, order));
        return string.Join(",", steps);
    }
}

/// <summary>A compatible change: the same steps in the same order, a progress status added and the result formatted differently.</summary>
public sealed class OrderFlowWithStatus : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string order)
    {
        var reserved = await context.CallActivityAsync<string>(OrderSteps.Reserve, order);
        context.SetCustomStatus("reserved");
        var expedited = OrderSteps.IsExpress(order) ? await context.CallActivityAsync<string>(OrderSteps.Expedite, order) : null;
        var shipped = await context.CallActivityAsync<string>(OrderSteps.Ship, order);
        context.SetCustomStatus("shipped");
        return string.Join(",", new[] { reserved, expedited, shipped }.Where(s => s is not null));
    }
}

/// <summary>Breaking for express orders only: expediting moved after shipping.</summary>
public sealed class OrderFlowExpediteMoved : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string order)
    {
        var steps = new List<string> { await context.CallActivityAsync<string>(OrderSteps.Reserve, order) };
        steps.Add(await context.CallActivityAsync<string>(OrderSteps.Ship, order));
        if (OrderSteps.IsExpress(order))
        {
            steps.Add(await context.CallActivityAsync<string>(OrderSteps.Expedite, order));
        }

        return string.Join(",", steps);
    }
}

/// <summary>Breaking for every order: the Reserve activity renamed to Hold.</summary>
public sealed class OrderFlowReserveRenamed : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string order)
    {
        var steps = new List<string> { await context.CallActivityAsync<string>(OrderSteps.Hold, order) };
        if (OrderSteps.IsExpress(order))
        {
            steps.Add(await context.CallActivityAsync<string>(OrderSteps.Expedite, order));
        }

        steps.Add(await context.CallActivityAsync<string>(OrderSteps.Ship, order));
        return string.Join(",", steps);
    }
}

/// <summary>A value change: Ship is called with a prefixed reference instead of the order (same step, new argument).</summary>
public sealed class OrderFlowShipArgumentChanged : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string order)
    {
        var steps = new List<string> { await context.CallActivityAsync<string>(OrderSteps.Reserve, order) };
        if (OrderSteps.IsExpress(order))
        {
            steps.Add(await context.CallActivityAsync<string>(OrderSteps.Expedite, order));
        }

        steps.Add(await context.CallActivityAsync<string>(OrderSteps.Ship, $"ref-{order}"));
        return string.Join(",", steps);
    }
}
