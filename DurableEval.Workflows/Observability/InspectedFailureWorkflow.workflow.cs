using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Observability;

/// <summary>
/// Leaves a failure in its history on purpose: an inspection activity fails (one attempt, no retry) and the
/// workflow handles it and completes, so the history holds an ActivityTaskFailed event whose failure message and
/// stack trace a reader of the exported JSON must be able to see.
/// </summary>
[Workflow]
public class InspectedFailureWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string part)
    {
        try
        {
            await Workflow.ExecuteActivityAsync(
                (InspectionActivities a) => a.InspectAsync(part),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } });
            return $"{part} passed";
        }
        catch (ActivityFailureException e)
        {
            return $"{part} rejected: {e.InnerException?.Message}";
        }
    }
}

/// <summary>
/// The same workflow type changed incompatibly (a timer before the activity): replaying the first version's
/// history against it must fail, which shows the exported JSON is really checked when it replays.
/// </summary>
[Workflow(nameof(InspectedFailureWorkflow))]
public class InspectedFailureWorkflowWithDelay
{
    [WorkflowRun]
    public async Task<string> RunAsync(string part)
    {
        await Workflow.DelayAsync(TimeSpan.FromMinutes(1));
        await Workflow.ExecuteActivityAsync(
            (InspectionActivities a) => a.InspectAsync(part),
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } });
        return $"{part} passed";
    }
}
