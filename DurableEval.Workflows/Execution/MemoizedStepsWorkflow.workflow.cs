using DurableEval.Workflows.Shared;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Sequential ledger steps. Run on a worker with no workflow cache, every task replays the run from history, so
/// the ledger shows whether recorded activity results are reused or the activities run again.
/// </summary>
[Workflow]
public class MemoizedStepsWorkflow
{
    /// <summary>Steps whose results the run holds; answered by replay on a worker with no cache.</summary>
    [WorkflowQuery]
    public int StepsDone { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync(int steps)
    {
        var results = new List<string>();
        for (var step = 1; step <= steps; step++)
        {
            var current = step;
            results.Add(await Workflow.ExecuteActivityAsync(
                (LedgerActivities a) => a.Step(current),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }));
            StepsDone = step;
        }

        return string.Join(",", results);
    }
}

/// <summary>One step that applies its effect and then fails its first attempt, retried by the server.</summary>
[Workflow]
public class AtLeastOnceEffectWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() =>
        Workflow.ExecuteActivityAsync(
            (LedgerActivities a) => a.EffectThenFailFirstAttempt(1),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),
                RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromSeconds(1), MaximumAttempts = 3 },
            });
}
