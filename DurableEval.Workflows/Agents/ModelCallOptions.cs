using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>Activity options for model calls, shared by the agent workflows.</summary>
public static class ModelCallOptions
{
    /// <summary>
    /// A loopback model answers in milliseconds; the 10 s bound only stops a hang and never fires in these facts
    /// (activity timeouts run in real time on the time-skipping server). A bad request is not retried.
    /// </summary>
    public static ActivityOptions Default => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(10),
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            MaximumAttempts = 5,
            NonRetryableErrorTypes = [ModelErrors.InvalidRequest],
        },
    };
}
