using Temporalio.Workflows;

namespace DurableEval.Workflows.Operations;

/// <summary>
/// Puts a batch of independent activities on its task queue at once, so every worker polling that queue can take
/// some; returns the name of the worker that ran each item, in item order.
/// </summary>
[Workflow]
public class SharedBatchWorkflow
{
    [WorkflowRun]
    public async Task<IReadOnlyList<string>> RunAsync(int items, int workMs)
    {
        var work = Enumerable.Range(0, items)
            .Select(i => Workflow.ExecuteActivityAsync(
                (BatchItemActivities a) => a.ProcessAsync(i, workMs),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }))
            .ToList();
        return await Workflow.WhenAllAsync(work);
    }
}
