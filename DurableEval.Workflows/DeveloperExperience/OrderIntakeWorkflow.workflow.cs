using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

public sealed record OrderLine(string Id, int Qty);

public sealed record OrderReceipt(string Id, int Qty, string AcceptedBy);

/// <summary>
/// Registered under a plain string name, as a workflow another language's client would start by name with
/// untyped JSON arguments.
/// </summary>
[Workflow(Name)]
public class OrderIntakeWorkflow
{
    public const string Name = "OrderIntake";

    [WorkflowRun]
    public Task<OrderReceipt> RunAsync(OrderLine line) => Task.FromResult(new OrderReceipt(line.Id, line.Qty, Workflow.Info.WorkflowType));
}
