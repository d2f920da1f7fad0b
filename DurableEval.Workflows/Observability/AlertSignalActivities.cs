using Temporalio.Activities;
using Temporalio.Exceptions;

namespace DurableEval.Workflows.Observability;

/// <summary>An activity that waits its share of I/O time, or fails for good when told to.</summary>
public sealed class AlertSignalActivities
{
    [Activity]
    public async Task<int> WorkAsync(int workMs, bool fail)
    {
        if (fail)
        {
            throw new ApplicationFailureException("downstream payment service refused the charge", errorType: "PaymentRefused", nonRetryable: true);
        }

        await Task.Delay(workMs, ActivityExecutionContext.Current.CancellationToken);
        return 1;
    }
}
