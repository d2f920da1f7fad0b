using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Versioning;

/// <summary>An invoice to approve; large amounts are escalated before sending.</summary>
public sealed record Invoice(string Id, decimal Amount)
{
    public const decimal EscalationThreshold = 1000m;
}

/// <summary>
/// The compatible code of the replay gate's corpus: draft, a one-hour cooling-off timer, escalation for large
/// amounts, send. Every class below registers under the same type and is one entry of the change catalogue a
/// replay gate is measured against; each says what it changed.
/// </summary>
[Workflow(TypeName)]
public class InvoiceApprovalWorkflow
{
    public const string TypeName = "InvoiceApproval";

    public static readonly TimeSpan CoolingOff = TimeSpan.FromHours(1);

    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), Options);
        await Workflow.DelayAsync(CoolingOff);
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), Options);
        }

        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send(invoice.Id), Options);
    }

    internal static ActivityOptions Options => new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };
}

/// <summary>Changed command type: the cooling-off timer became an approval activity.</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceTimerBecameActivity
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.ExecuteActivityAsync(() => InvoiceActivities.AwaitApproval(invoice.Id), InvoiceApprovalWorkflow.Options);
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), InvoiceApprovalWorkflow.Options);
        }

        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send(invoice.Id), InvoiceApprovalWorkflow.Options);
    }
}

/// <summary>Added command: an archive step after sending.</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceArchiveAdded
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.DelayAsync(InvoiceApprovalWorkflow.CoolingOff);
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), InvoiceApprovalWorkflow.Options);
        }

        var sent = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Archive(invoice.Id), InvoiceApprovalWorkflow.Options);
        return draft + "|" + sent;
    }
}

/// <summary>Removed command: large invoices are no longer escalated (only runs that escalated are affected).</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceEscalationRemoved
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.DelayAsync(InvoiceApprovalWorkflow.CoolingOff);
        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send(invoice.Id), InvoiceApprovalWorkflow.Options);
    }
}

/// <summary>Renamed activity: Send is now Dispatch (same arguments, same behaviour, new activity type name).</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceSendRenamed
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.DelayAsync(InvoiceApprovalWorkflow.CoolingOff);
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), InvoiceApprovalWorkflow.Options);
        }

        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Dispatch(invoice.Id), InvoiceApprovalWorkflow.Options);
    }
}

/// <summary>Changed timer duration: the cooling-off period is five minutes instead of an hour.</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceCoolingOffShortened
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.DelayAsync(TimeSpan.FromMinutes(5));
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), InvoiceApprovalWorkflow.Options);
        }

        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send(invoice.Id), InvoiceApprovalWorkflow.Options);
    }
}

/// <summary>Changed activity argument: Send now receives a prefixed invoice reference instead of the id.</summary>
[Workflow(InvoiceApprovalWorkflow.TypeName)]
public class InvoiceSendArgumentChanged
{
    [WorkflowRun]
    public async Task<string> RunAsync(Invoice invoice)
    {
        var draft = await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Draft(invoice.Id), InvoiceApprovalWorkflow.Options);
        await Workflow.DelayAsync(InvoiceApprovalWorkflow.CoolingOff);
        if (invoice.Amount >= Invoice.EscalationThreshold)
        {
            await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Escalate(invoice.Id), InvoiceApprovalWorkflow.Options);
        }

        return draft + "|" + await Workflow.ExecuteActivityAsync(() => InvoiceActivities.Send("INV-" + invoice.Id), InvoiceApprovalWorkflow.Options);
    }
}

public static class InvoiceActivities
{
    [Activity]
    public static string Draft(string id) => $"drafted:{id}";

    [Activity]
    public static string Escalate(string id) => $"escalated:{id}";

    [Activity]
    public static string Send(string id) => $"sent:{id}";

    [Activity]
    public static string Dispatch(string id) => $"sent:{id}";

    [Activity]
    public static string AwaitApproval(string id) => $"approved:{id}";

    [Activity]
    public static string Archive(string id) => $"archived:{id}";
}
