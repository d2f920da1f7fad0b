using Microsoft.Extensions.Logging;
using Temporalio.Activities;

namespace DurableEval.Workflows.Observability;

/// <summary>Two steps that log through the activity's own logger, whose scope must name the activity.</summary>
public sealed class LoggedStepActivities
{
    [Activity]
    public Task<string> PackAsync(string order)
    {
        ActivityExecutionContext.Current.Logger.LogInformation("packing {Order}", order);
        return Task.FromResult($"{order}:packed");
    }

    [Activity]
    public Task<string> ShipAsync(string parcel)
    {
        ActivityExecutionContext.Current.Logger.LogInformation("shipping {Parcel}", parcel);
        return Task.FromResult($"{parcel}:shipped");
    }
}
