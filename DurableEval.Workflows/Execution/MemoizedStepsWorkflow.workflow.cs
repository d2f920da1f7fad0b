using DurableEval.Workflows.Shared;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Sequential ledger steps, and after the first one a local-activity step (number steps + 1). Run on a worker with
/// no workflow cache, every task replays the run from history. A regular activity never runs on replay whatever the
/// platform does (the server, not the replaying worker, dispatches it); a local activity runs inside the workflow
/// task, and on replay the SDK takes its result from the MarkerRecorded event instead of running it again, so the
/// ledger count of the local step shows whether the platform kept that marker.
/// </summary>
[Workflow]
public class MemoizedStepsWorkflow
{
    /// <summary>Steps (regular and local) whose results the run holds; answered by replay on a worker with no cache.</summary>
    [WorkflowQuery]
    public int StepsDone { get; private set; }

    /// <summary>The ledger step number of the local-activity step of a run of <paramref name="steps"/> regular steps.</summary>
    public static int LocalStep(int steps) => steps + 1;

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
            StepsDone++;
            if (step == 1)
            {
                // Mid-run, so every later task of the run (no cache) replays past its marker too.
                var local = LocalStep(steps);
                results.Add(await Workflow.ExecuteLocalActivityAsync(
                    (LedgerActivities a) => a.Step(local),
                    new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }));
                StepsDone++;
            }
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
