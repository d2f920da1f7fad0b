using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Calls the model once per prompt, each call an activity with the shared model-call options, and returns every
/// answer with the attempt that got it: what a fact needs to see how Temporal retries a model call.
/// </summary>
[Workflow]
public class MemoizedModelCallsWorkflow
{
    [WorkflowRun]
    public async Task<IReadOnlyList<ModelAnswer>> RunAsync(IReadOnlyList<string> prompts)
    {
        var answers = new List<ModelAnswer>();
        foreach (var prompt in prompts)
        {
            answers.Add(await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(new ChatPrompt(prompt)), ModelCallOptions.Default));
        }

        return answers;
    }
}
