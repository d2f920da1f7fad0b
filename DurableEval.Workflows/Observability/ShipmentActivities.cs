using Temporalio.Activities;

namespace DurableEval.Workflows.Observability;

/// <summary>Two steps of a traced shipment; their only job is to run where a span can be observed.</summary>
public sealed class ShipmentActivities
{
    [Activity]
    public Task<string> PackAsync(string order) => Task.FromResult($"{order}:packed");

    [Activity]
    public Task<string> ShipAsync(string parcel) => Task.FromResult($"{parcel}:shipped");
}
