using Temporalio.Activities;

namespace DurableEval.Workflows.Observability;

/// <summary>One step of a metered order: adds its units to a custom counter on the activity's metric meter.</summary>
public sealed class MeteredStepActivities
{
    public const string UnitsCounter = "durableeval_step_units";

    [Activity]
    public Task<int> ProcessStepAsync(int units)
    {
        ActivityExecutionContext.Current.MetricMeter
            .CreateCounter<long>(UnitsCounter, "units", "units processed by order steps")
            .Add(units);
        return Task.FromResult(units);
    }
}
