using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

/// <summary>Waits on a durable timer and reports how much workflow time passed: long waits in tests.</summary>
[Workflow]
public class LongWaitWorkflow
{
    [WorkflowRun]
    public async Task<TimeSpan> RunAsync(TimeSpan wait)
    {
        var start = Workflow.UtcNow;
        await Workflow.DelayAsync(wait);
        return Workflow.UtcNow - start;
    }
}

/// <summary>The production payment activity; a test replaces it with a double registered under the same name.</summary>
public sealed class PaymentActivities
{
    public const string ChargeName = "Charge";

    public int Calls { get; private set; }

    [Activity(ChargeName)]
    public Task<string> ChargeAsync(int cents)
    {
        Calls++;
        return Task.FromResult($"real charge of {cents}");
    }
}

/// <summary>Charges through the activity named "Charge", whichever implementation the worker registered.</summary>
[Workflow]
public class CheckoutWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(int cents) =>
        Workflow.ExecuteActivityAsync((PaymentActivities a) => a.ChargeAsync(cents), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

/// <summary>An activity that heartbeats its progress and stops when cancelled: what ActivityEnvironment tests alone.</summary>
public static class BatchActivities
{
    [Activity]
    public static async Task<int> ProcessAsync(int items)
    {
        var context = ActivityExecutionContext.Current;
        var done = 0;
        for (var i = 0; i < items; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), context.CancellationToken);
            done++;
            context.Heartbeat(done);
        }

        return done;
    }
}
