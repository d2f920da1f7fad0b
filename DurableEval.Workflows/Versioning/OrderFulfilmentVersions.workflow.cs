using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Versioning;

/// <summary>
/// What every version of the order fulfilment workflow shares: it notifies the customer, waits for the
/// warehouse's "ship" signal, then ships. The versions below differ only in the notification channel, and all
/// register under the one workflow type <see cref="TypeName"/>, as old and new code do in a real deployment.
/// </summary>
public abstract class OrderFulfilmentBase
{
    public const string TypeName = "OrderFulfilment";

    /// <summary>The patch id guarding the switch from e-mail to SMS notification.</summary>
    public const string PatchId = "notify-by-sms";

    private bool shipRequested;

    /// <summary>"notified:&lt;channel result&gt;" once the notification step is done and the run waits for "ship".</summary>
    [WorkflowQuery]
    public string Stage { get; private set; } = "started";

    [WorkflowSignal]
    public Task ShipAsync()
    {
        shipRequested = true;
        return Task.CompletedTask;
    }

    protected static ActivityOptions Options => new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    protected async Task<string> FinishAsync(string order, string notice)
    {
        Stage = "notified:" + notice;
        await Workflow.WaitConditionAsync(() => shipRequested);
        var shipped = await Workflow.ExecuteActivityAsync((FulfilmentActivities a) => a.Ship(order), Options);
        return $"{notice}|{shipped}";
    }

    protected static Task<string> EmailAsync(string order) =>
        Workflow.ExecuteActivityAsync((FulfilmentActivities a) => a.NotifyByEmail(order), Options);

    protected static Task<string> SmsAsync(string order) =>
        Workflow.ExecuteActivityAsync((FulfilmentActivities a) => a.NotifyBySms(order), Options);
}

/// <summary>Version 1, before the change: notifies by e-mail.</summary>
[Workflow(TypeName)]
public class OrderFulfilmentV1 : OrderFulfilmentBase
{
    [WorkflowRun]
    public async Task<string> RunAsync(string order) => await FinishAsync(order, await EmailAsync(order));
}

/// <summary>Version 2, the change made safely: new runs notify by SMS, runs that started on v1 keep e-mail.</summary>
[Workflow(TypeName)]
public class OrderFulfilmentPatched : OrderFulfilmentBase
{
    [WorkflowRun]
    public async Task<string> RunAsync(string order) =>
        await FinishAsync(order, Workflow.Patched(PatchId) ? await SmsAsync(order) : await EmailAsync(order));
}

/// <summary>Version 3, once no v1 run is left: the old branch is gone, the patch is only deprecated.</summary>
[Workflow(TypeName)]
public class OrderFulfilmentPatchDeprecated : OrderFulfilmentBase
{
    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        Workflow.DeprecatePatch(PatchId);
        return await FinishAsync(order, await SmsAsync(order));
    }
}

/// <summary>
/// The same change made without a patch (or the patch call removed too early): SMS only, no marker. Against a
/// v1 history this is the unguarded breaking change; against a patched history, a removed patch.
/// </summary>
[Workflow(TypeName)]
public class OrderFulfilmentPatchRemoved : OrderFulfilmentBase
{
    [WorkflowRun]
    public async Task<string> RunAsync(string order) => await FinishAsync(order, await SmsAsync(order));
}

/// <summary>The fulfilment steps, counting each execution by workflow id so a fact can see which branch really ran.</summary>
public sealed class FulfilmentActivities(InvocationCounter counter)
{
    [Activity]
    public string NotifyByEmail(string order) => Run(nameof(NotifyByEmail), $"email:{order}");

    [Activity]
    public string NotifyBySms(string order) => Run(nameof(NotifyBySms), $"sms:{order}");

    [Activity]
    public string Ship(string order) => Run(nameof(Ship), $"shipped:{order}");

    public static string Key(string workflowId, string activity) => $"{workflowId}/{activity}";

    private string Run(string activity, string result)
    {
        counter.Increment(Key(ActivityExecutionContext.Current.Info.WorkflowId ?? "standalone", activity));
        return result;
    }
}
