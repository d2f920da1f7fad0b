using DurableEval.Workflows.Shared;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// K journaled steps in sequence, run by a worker in another process that the test kills hard mid-step. Its
/// result names every step of its own index, so a lost, repeated or misdelivered step result shows in it; step
/// s + 1 is scheduled only once the server recorded step s, which lets the journal tell recorded steps apart.
/// </summary>
[Workflow]
public class StepsSurviveWorkerKillWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(KillRunInput input)
    {
        var options = new ActivityOptions
        {
            StartToCloseTimeout = TimeSpan.FromMilliseconds(input.StepTimeoutMilliseconds),

            // A step lost with its worker is retried soon; no attempt limit, since the run must finish.
            RetryPolicy = new RetryPolicy
            {
                InitialInterval = TimeSpan.FromMilliseconds(100),
                BackoffCoefficient = 2,
                MaximumInterval = TimeSpan.FromSeconds(1),
            },
        };
        var results = new List<string>();
        for (var step = 1; step <= input.Steps; step++)
        {
            var request = new StepRequest(input.Index, step, input.WorkMilliseconds);
            results.Add(await Workflow.ExecuteActivityAsync((JournaledStepActivities a) => a.StepAsync(request), options));
        }

        return string.Join(",", results);
    }

    /// <summary>The result workflow number <paramref name="index"/> must return.</summary>
    public static string Expected(int index, int steps) =>
        string.Join(",", Enumerable.Range(1, steps).Select(s => JournaledStepActivities.StepResult(index, s)));
}

/// <summary>Input of one protocol workflow: its number, its step count, each step's work and timeout.</summary>
public sealed record KillRunInput(int Index, int Steps, int WorkMilliseconds, int StepTimeoutMilliseconds);
