using System.Globalization;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>
/// DX-06's catalogue for Agent Framework workflows: graphs a newcomer builds the way the samples suggest, each with
/// one mistake the documentation warns of or leaves to the application. The fact runs them and records whether the
/// framework stopped the mistake or the run went on silently.
/// </summary>
public static class PitfallWorkflows
{
    /// <summary>One workflow object around an executor that keeps a counter in a field; run it twice to see whether state leaks between runs.</summary>
    public static Workflow SharedState()
    {
        ExecutorBinding counting = new CountingExecutor();
        return new WorkflowBuilder(counting).WithOutputFrom(counting).Build();
    }

    /// <summary>The output a fresh executor yields for <paramref name="input"/>: it has seen one message.</summary>
    public static string FreshCount(string input) => $"{input}#1";

    /// <summary>An edge from an executor that sends an int to one that only handles strings.</summary>
    public static Workflow MismatchedEdge()
    {
        ExecutorBinding length = new LengthExecutor();
        ExecutorBinding shout = new ShoutExecutor();
        return new WorkflowBuilder(length).AddEdge(length, shout).WithOutputFrom(shout).Build();
    }

    /// <summary>A workflow whose executor returns its result but no executor is declared as an output source (WithOutputFrom forgotten).</summary>
    public static Workflow UndeclaredOutput()
    {
        ExecutorBinding shout = new ShoutExecutor();
        return new WorkflowBuilder(shout).Build();
    }

    private sealed class CountingExecutor() : Executor<string, string>("count")
    {
        private int seen;

        public override ValueTask<string> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult($"{message}#{Interlocked.Increment(ref seen).ToString(CultureInfo.InvariantCulture)}");
    }

    private sealed class LengthExecutor() : Executor<string, int>("length")
    {
        public override ValueTask<int> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(message.Length);
    }

    private sealed class ShoutExecutor() : Executor<string, string>("shout")
    {
        public override ValueTask<string> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(message.ToUpperInvariant());
    }
}
