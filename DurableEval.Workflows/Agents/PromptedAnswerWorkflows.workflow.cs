using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>The two prompt versions: the change a team makes while runs are in flight.</summary>
public static class PromptVersions
{
    public static readonly ChatPrompt V1 = new("Summarise the ticket.", "prompt-v1: answer in one sentence.", "model-v1");
    public static readonly ChatPrompt V2 = new("Summarise the ticket.", "prompt-v2: answer in three bullet points.", "model-v2");

    public const string PatchId = "prompt-v2";
}

/// <summary>Version 1 as deployed: two model calls with prompt v1, a wait between them.</summary>
[Workflow("PromptedAnswer")]
public class PromptedAnswerWorkflowV1
{
    private bool go;

    [WorkflowQuery]
    public int CompletedCalls { get; private set; }

    [WorkflowRun]
    public async Task<IReadOnlyList<string>> RunAsync()
    {
        var first = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(PromptVersions.V1), ModelCallOptions.Default);
        CompletedCalls = 1;
        await Workflow.WaitConditionAsync(() => go);
        var second = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(PromptVersions.V1), ModelCallOptions.Default);
        return [first.Text, second.Text];
    }

    [WorkflowSignal]
    public Task GoAsync()
    {
        go = true;
        return Task.CompletedTask;
    }
}

/// <summary>
/// Version 2: the prompt and model change behind <c>Workflow.Patched</c>. A run that made its first call under v1
/// replays that call with the patch off, and the SDK keeps the patch off for the rest of that run; new runs take v2.
/// </summary>
[Workflow("PromptedAnswer")]
public class PromptedAnswerWorkflowV2
{
    private bool go;

    [WorkflowQuery]
    public int CompletedCalls { get; private set; }

    [WorkflowRun]
    public async Task<IReadOnlyList<string>> RunAsync()
    {
        var first = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(Prompt()), ModelCallOptions.Default);
        CompletedCalls = 1;
        await Workflow.WaitConditionAsync(() => go);
        var second = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(Prompt()), ModelCallOptions.Default);
        return [first.Text, second.Text];
    }

    [WorkflowSignal]
    public Task GoAsync()
    {
        go = true;
        return Task.CompletedTask;
    }

    private static ChatPrompt Prompt() => Workflow.Patched(PromptVersions.PatchId) ? PromptVersions.V2 : PromptVersions.V1;
}
