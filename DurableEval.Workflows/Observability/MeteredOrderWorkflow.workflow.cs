using Temporalio.Workflows;

namespace DurableEval.Workflows.Observability;

/// <summary>
/// Known work for a metrics scrape: one run processes <see cref="MeteredOrder.Steps"/> activities, each reporting
/// its units on a custom activity counter, and the run adds one to a custom workflow counter. A fact that starts N
/// runs knows exactly what every SDK and custom metric must read afterwards.
/// </summary>
[Workflow]
public class MeteredOrderWorkflow
{
    public const string WorkflowCounter = "durableeval_orders_metered";

    [WorkflowRun]
    public async Task<int> RunAsync(MeteredOrder order)
    {
        var total = 0;
        for (var step = 1; step <= order.Steps; step++)
        {
            total += await Workflow.ExecuteActivityAsync(
                (MeteredStepActivities a) => a.ProcessStepAsync(order.UnitsPerStep),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        }

        // Workflow.MetricMeter skips recording during replay, so the counter counts runs, not replays.
        Workflow.MetricMeter.CreateCounter<long>(WorkflowCounter, "orders", "orders whose steps all completed").Add(1);
        return total;
    }
}

/// <summary>How many steps a run takes and how many units each reports.</summary>
public sealed record MeteredOrder(int Steps, int UnitsPerStep);
