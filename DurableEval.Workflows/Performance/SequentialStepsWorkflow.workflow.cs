using Temporalio.Workflows;

namespace DurableEval.Workflows.Performance;

/// <summary>Runs <c>Steps</c> no-op activities one after another, regular or local: the unit of per-step latency.</summary>
[Workflow]
public class SequentialStepsWorkflow
{
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    [WorkflowRun]
    public async Task<int> RunAsync(int steps, bool local)
    {
        var run = Workflow.Info.WorkflowId;
        for (var i = 0; i < steps; i++)
        {
            if (local)
            {
                await Workflow.ExecuteLocalActivityAsync((StepClock c) => c.TickAsync(run), new() { StartToCloseTimeout = StepTimeout });
            }
            else
            {
                await Workflow.ExecuteActivityAsync((StepClock c) => c.TickAsync(run), new() { StartToCloseTimeout = StepTimeout });
            }
        }

        return steps;
    }
}
