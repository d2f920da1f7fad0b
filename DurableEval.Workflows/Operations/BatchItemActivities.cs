using Temporalio.Activities;

namespace DurableEval.Workflows.Operations;

/// <summary>One batch item: waits its share of I/O time and reports which worker ran it (one instance per worker).</summary>
public sealed class BatchItemActivities(string worker)
{
    [Activity]
    public async Task<string> ProcessAsync(int item, int workMs)
    {
        await Task.Delay(workMs, ActivityExecutionContext.Current.CancellationToken);
        return worker;
    }
}
