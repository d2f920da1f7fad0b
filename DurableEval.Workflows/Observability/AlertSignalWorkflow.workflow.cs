using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Observability;

/// <summary>What an alert-signal run does: succeed, fail through its activity, queue a backlog, or fail its workflow task.</summary>
public enum AlertScenario
{
    Succeed,
    FailActivity,
    Backlog,
    BreakWorkflowTask,
}

/// <summary>
/// Produces the conditions alert rules watch for, on demand: activity and workflow failures, a backlog of activities
/// waiting for a worker slot, and a workflow task that keeps failing (a code bug, retried by the server forever).
/// </summary>
[Workflow]
public class AlertSignalWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync(AlertScenario scenario, int items, int workMs)
    {
        var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } };
        switch (scenario)
        {
            case AlertScenario.FailActivity:
                // Not caught: the run fails with the activity's failure.
                await Workflow.ExecuteActivityAsync((AlertSignalActivities a) => a.WorkAsync(0, fail: true), options);
                return 0;
            case AlertScenario.Backlog:
                var all = Enumerable.Range(0, items).Select(_ => Workflow.ExecuteActivityAsync((AlertSignalActivities a) => a.WorkAsync(workMs, false), options));
                return (await Workflow.WhenAllAsync(all)).Sum();
            case AlertScenario.BreakWorkflowTask:
                throw new InvalidOperationException("a bug in workflow code: this task fails and is retried until someone fixes the code");
            default:
                return await Workflow.ExecuteActivityAsync((AlertSignalActivities a) => a.WorkAsync(0, false), options);
        }
    }
}
