using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Workflows.AgentFramework;

// DX-01 counts the code lines of this file: the smallest complete workflow (one executor, its graph) and a run that
// returns its output. Keep it minimal and idiomatic; the fact reads it at test time and also runs it.
public sealed class GreetExecutor() : Executor<string, string>("greet")
{
    public override ValueTask<string> HandleAsync(string name, IWorkflowContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult($"Hello, {name}!");
}

public static class MinimalGreetingGraph
{
    public static Workflow Build()
    {
        ExecutorBinding greet = new GreetExecutor();
        return new WorkflowBuilder(greet).WithOutputFrom(greet).Build();
    }

    public static async Task<string?> RunOnceAsync(string name, CancellationToken cancellation)
    {
        await using var run = await InProcessExecution.RunAsync(Build(), name, null, cancellation);
        return run.NewEvents.OfType<WorkflowOutputEvent>().Select(e => e.Data as string).FirstOrDefault();
    }
}
