using Microsoft.Extensions.Logging;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Observability;

/// <summary>
/// Logs at known points across three workflow tasks (before, between and after two activities), through the
/// replay-safe Workflow.Logger and, for comparison, through a plain logger that knows nothing of replay. With no
/// workflow cache every task replays the ones before it, so the plain lines repeat and the safe ones must not.
/// </summary>
[Workflow]
public class LoggedOrderWorkflow
{
    /// <summary>A plain logger (set by the fact) that logs on every replay: the control that shows replays happened.</summary>
    public static ILogger? PlainLogger { get; set; }

    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        Note("order {Order} received", order);
        var packed = await Workflow.ExecuteActivityAsync((LoggedStepActivities a) => a.PackAsync(order), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        Note("order {Order} packed", order);
        var shipped = await Workflow.ExecuteActivityAsync((LoggedStepActivities a) => a.ShipAsync(packed), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        Note("order {Order} shipped", order);
        return shipped;
    }

    private static void Note(string template, string order)
    {
#pragma warning disable CA2254 // The same template goes to both loggers on purpose.
        Workflow.Logger.LogInformation(template, order);
        PlainLogger?.LogInformation("plain: " + template, order);
#pragma warning restore CA2254
    }
}
