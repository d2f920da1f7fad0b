using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using DurableTask.Core;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// The Durable Task counterpart of <see cref="StepsSurviveWorkerKillWorkflow"/>: K journaled steps in sequence, run
/// by a TaskHubWorker in another process that the test kills hard mid-step. Step s + 1 is scheduled only once step
/// s's completion is in the orchestration's history, and the result names every step of its own index, so the same
/// journal and the same oracles judge both engines. The step timeout has no counterpart: on the Azure Storage
/// provider a lost activity comes back when its queue message's visibility timeout runs out.
/// </summary>
public sealed class StepsSurviveWorkerKillOrchestration : TaskOrchestration<string, KillRunInput>
{
    public const string Name = "StepsSurviveWorkerKill";
    public const string Version = "";

    public override async Task<string> RunTask(OrchestrationContext context, KillRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var results = new List<string>();
        for (var step = 1; step <= input.Steps; step++)
        {
            results.Add(await context.ScheduleTask<string>(JournaledStepActivity.Name, JournaledStepActivity.Version, new StepRequest(input.Index, step, input.WorkMilliseconds)));
        }

        return string.Join(",", results);
    }

    /// <summary>The result orchestration number <paramref name="index"/> must return (the same as the Temporal workflow's).</summary>
    public static string Expected(int index, int steps) => StepsSurviveWorkerKillWorkflow.Expected(index, steps);
}
