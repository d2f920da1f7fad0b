using DurableEval.Workflows.Shared;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Runs K ledger steps and parks after the first until released, so a fact can take its worker away while the
/// run is provably mid-flight and check that a new worker finishes it without re-running step 1.
/// </summary>
[Workflow]
public class WorkerLossResumesWorkflow
{
    private bool released;

    [WorkflowQuery]
    public int CompletedSteps { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync(int steps)
    {
        var results = new List<string>();
        for (var step = 1; step <= steps; step++)
        {
            if (step == 2)
            {
                await Workflow.WaitConditionAsync(() => released);
            }

            var current = step;
            results.Add(await Workflow.ExecuteActivityAsync(
                (LedgerActivities a) => a.Step(current),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }));
            CompletedSteps = step;
        }

        return string.Join(",", results);
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        released = true;
        return Task.CompletedTask;
    }

    public static string Expected(int steps) => string.Join(",", Enumerable.Range(1, steps).Select(s => $"s{s}"));
}
