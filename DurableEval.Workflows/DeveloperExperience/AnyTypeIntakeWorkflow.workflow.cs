using Temporalio.Converters;
using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

/// <summary>
/// Handles any workflow type no .NET class declares, as a .NET worker serving a type that another language's code
/// defines and names: it reads the raw arguments and answers with the type name it was started under and the
/// decoded input, so the caller can see both crossed the boundary intact.
/// </summary>
[Workflow(Dynamic = true)]
public class AnyTypeIntakeWorkflow
{
    [WorkflowRun]
    public Task<OrderReceipt> RunAsync(IRawValue[] args)
    {
        var line = Workflow.PayloadConverter.ToValue<OrderLine>(args.Single());
        return Task.FromResult(new OrderReceipt(line.Id, line.Qty, Workflow.Info.WorkflowType));
    }
}
