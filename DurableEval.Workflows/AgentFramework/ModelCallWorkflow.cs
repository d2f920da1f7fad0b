using Microsoft.Agents.AI;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.AI;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>
/// A model call as a workflow step: "prepare" turns the topic into a prompt (its superstep ends in a checkpoint, so a
/// run that loses the call has somewhere to resume from), then "agent", a <see cref="ChatClientAgent"/> over the
/// given <see cref="IChatClient"/>, asks the model and yields the reply. The framework wraps no retry or timeout
/// around the call: whatever the chat client does is all there is.
/// </summary>
public static class ModelCallWorkflow
{
    public const string PrepareId = "prepare";
    public const string AgentId = "agent";

    public static Workflow Build(IChatClient chat, ExecutorCounter counter)
    {
        ExecutorBinding prepare = new PrepareExecutor(counter);
        ExecutorBinding agent = new AgentCallExecutor(new ChatClientAgent(chat, instructions: "Answer in one line.", name: "scripted"), counter);
        return new WorkflowBuilder(prepare).AddEdge(prepare, agent).WithOutputFrom(agent).Build();
    }

    /// <summary>The prompt the model is sent for <paramref name="topic"/>.</summary>
    public static string Prompt(string topic) => $"summarize {topic}";

    private sealed class PrepareExecutor(ExecutorCounter counter) : Executor<string, string>(PrepareId)
    {
        public override ValueTask<string> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            counter.Hit(Id);
            return ValueTask.FromResult(Prompt(message));
        }
    }

    private sealed class AgentCallExecutor(AIAgent agent, ExecutorCounter counter) : Executor<string, string>(AgentId)
    {
        public override async ValueTask<string> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            counter.Hit(Id);
            var response = await agent.RunAsync(message, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Text;
        }
    }
}
