using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>What one run of the model-call kill is asked: its prompts, in order, and how long one call may take.</summary>
public sealed record ModelCallKillInput(IReadOnlyList<string> Prompts, int CallTimeoutMilliseconds);

/// <summary>
/// Calls the model once per prompt, in order, each call an activity, and returns every answer. Run by a separate
/// worker process that the test kills while the model endpoint holds one of these calls open, so the test can count
/// what the kill costs in model requests: the call it interrupted again, the calls recorded before it never.
/// </summary>
[Workflow]
public class ModelCallsSurviveWorkerKillWorkflow
{
    [WorkflowRun]
    public async Task<IReadOnlyList<ModelAnswer>> RunAsync(ModelCallKillInput input)
    {
        // The start-to-close timeout is how soon the server hands a call lost with its worker to the next one; it
        // runs in real time on the time-skipping server (a pending activity locks skipping), so the test keeps it
        // to a few seconds, far above a loopback call. Retry backoff is short for the same reason.
        var options = new ActivityOptions
        {
            StartToCloseTimeout = TimeSpan.FromMilliseconds(input.CallTimeoutMilliseconds),
            RetryPolicy = new RetryPolicy
            {
                InitialInterval = TimeSpan.FromMilliseconds(100),
                MaximumAttempts = 5,
                NonRetryableErrorTypes = [ModelErrors.InvalidRequest],
            },
        };
        var answers = new List<ModelAnswer>();
        foreach (var prompt in input.Prompts)
        {
            answers.Add(await Workflow.ExecuteActivityAsync((ModelActivities m) => m.CompleteAsync(new ChatPrompt(prompt)), options));
        }

        return answers;
    }
}
