using DurableEval.Workflows.Shared;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Takes a different path when replaying than it took live, the smallest honest nondeterminism: the first
/// execution starts a timer, any replay does not. On an uncached worker the second task replays and diverges.
/// </summary>
[Workflow]
public class DivergesOnReplayWorkflow
{
    /// <summary>
    /// Counts task attempts from outside workflow state (each attempt on an uncached worker starts the run method
    /// again), so a fact can see the failed task being retried. Observation only; it never steers the workflow.
    /// </summary>
    public static InvocationCounter Attempts { get; } = new();

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        Attempts.Increment(Workflow.Info.WorkflowId);
        if (!Workflow.Unsafe.IsReplaying)
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1));
        }

        return "done";
    }
}

/// <summary>The same divergence, configured so that nondeterminism fails the workflow instead of its task.</summary>
[Workflow(FailureExceptionTypes = [typeof(WorkflowNondeterminismException)])]
public class DivergenceFailsWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        if (!Workflow.Unsafe.IsReplaying)
        {
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1));
        }

        return "done";
    }
}
