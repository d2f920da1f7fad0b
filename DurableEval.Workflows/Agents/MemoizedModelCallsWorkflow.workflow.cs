using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Calls the model once per prompt, each call an activity, and parks after <c>pauseAfter</c> calls until released,
/// so a fact can lose the worker after some calls completed and count whether the model is called again.
/// </summary>
[Workflow]
public class MemoizedModelCallsWorkflow
{
    private bool released;

    [WorkflowQuery]
    public int CompletedCalls { get; private set; }

    [WorkflowRun]
    public async Task<IReadOnlyList<ModelAnswer>> RunAsync(IReadOnlyList<string> prompts, int pauseAfter)
    {
        var answers = new List<ModelAnswer>();
        foreach (var prompt in prompts)
        {
            answers.Add(await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(new ChatPrompt(prompt)), ModelCallOptions.Default));
            CompletedCalls = answers.Count;
            if (answers.Count == pauseAfter)
            {
                await Workflow.WaitConditionAsync(() => released);
            }
        }

        return answers;
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        released = true;
        return Task.CompletedTask;
    }
}
