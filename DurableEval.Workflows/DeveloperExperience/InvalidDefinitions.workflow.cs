using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

// Deliberately invalid workflow shapes: the SDK must reject each when it is registered, with a message that
// says what to fix. Never register these on a worker that is meant to run.
#pragma warning disable CA1822 // Instance methods are what the SDK expects on workflow classes.

/// <summary>A workflow with no [WorkflowRun] method.</summary>
[Workflow]
public class NoRunMethodWorkflow
{
    public Task<string> RunAsync() => Task.FromResult("never");
}

/// <summary>Two methods both marked [WorkflowRun].</summary>
[Workflow]
public class TwoRunMethodsWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult("one");

    [WorkflowRun]
    public Task<string> RunAgainAsync() => Task.FromResult("two");
}

/// <summary>A signal handler that does not return Task.</summary>
[Workflow]
public class SignalReturnsValueWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult("run");

    [WorkflowSignal]
    public int Poke() => 1;
}

/// <summary>A query handler that returns a Task (queries must be synchronous).</summary>
[Workflow]
public class QueryReturnsTaskWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult("run");

    [WorkflowQuery]
    public Task<int> CountAsync() => Task.FromResult(1);
}

/// <summary>A class without the [Workflow] attribute registered as a workflow.</summary>
public class MissingAttributeWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult("run");
}
#pragma warning restore CA1822
