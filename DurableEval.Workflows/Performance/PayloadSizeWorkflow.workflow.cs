using Temporalio.Workflows;

namespace DurableEval.Workflows.Performance;

/// <summary>Takes a payload of a chosen size and returns its length: the smallest run that carries it through the server.</summary>
[Workflow]
public class PayloadSizeWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync(string blob) => Task.FromResult(blob.Length);
}
