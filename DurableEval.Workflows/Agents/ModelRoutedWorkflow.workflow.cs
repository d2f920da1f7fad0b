using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Lets the model choose a tool and branches on its answer: the decision path (answer, branch, tool result) must be
/// the same on every replay even though the model answers differently each time it is asked.
/// </summary>
[Workflow]
public class ModelRoutedWorkflow
{
    public const string Instructions = "Answer with one word: 'search' or 'calculator'.";

    [WorkflowQuery]
    public ModelDecision? Decision { get; private set; }

    [WorkflowRun]
    public async Task<ModelDecision> RunAsync(string question)
    {
        var answer = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(new ChatPrompt(question, Instructions)), ModelCallOptions.Default);
        var (tool, argument) = answer.Text.Contains("calculator", StringComparison.OrdinalIgnoreCase)
            ? (AgentToolbox.Calculator, "{\"expression\":\"2+3\"}")
            : (AgentToolbox.Search, $"{{\"query\":\"{question}\"}}");
        var result = await Workflow.ExecuteActivityAsync<string>(tool, [argument], new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
        Decision = new(answer.Text, tool, result);
        return Decision;
    }
}

/// <summary>The model's answer, the branch the workflow took on it, and that branch's result.</summary>
public sealed record ModelDecision(string Answer, string Branch, string Result);
