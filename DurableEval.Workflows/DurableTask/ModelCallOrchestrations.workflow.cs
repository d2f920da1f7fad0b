using Microsoft.DurableTask;
using Microsoft.Extensions.AI;

namespace DurableEval.Workflows.DurableTask;

/// <summary>One model call: the prompt, the retry policy for the call, and whether the run then waits for a "next" event (which makes it replay past the call).</summary>
public sealed record ModelCallRequest(string Prompt, int MaxAttempts, int FirstRetryMs, double Coefficient, bool AwaitNext);

/// <summary>
/// How the call ended as the orchestration saw it. <see cref="ResultFromReplay"/> is whether, in the execution that
/// produced the output, the call's result was handed back while the orchestration was replaying (from history).
/// </summary>
public sealed record ModelCallOutcome(bool Succeeded, string? Answer, bool ResultFromReplay, string? FailureErrorType, string? FailureMessage);

/// <summary>
/// The model call as an activity: any Microsoft.Extensions.AI chat client from the worker's services (the real OpenAI
/// client against a loopback endpoint in the facts). Each execution is logged, so a re-call on replay would show.
/// </summary>
public sealed class ModelCallActivity(IChatClient chat, DurableCallLog log) : TaskActivity<string, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, nameof(ModelCallActivity), input);
        var response = await chat.GetResponseAsync(input);
        return response.Text;
    }
}

/// <summary>Calls the model once under the retry policy its input describes; optionally waits for "next" before returning.</summary>
public sealed class ModelCallOrchestrator : TaskOrchestrator<ModelCallRequest, ModelCallOutcome>
{
    public const string NextEvent = "next";

    public override async Task<ModelCallOutcome> RunAsync(TaskOrchestrationContext context, ModelCallRequest input)
    {
        var policy = new RetryPolicy(input.MaxAttempts, TimeSpan.FromMilliseconds(input.FirstRetryMs), input.Coefficient);
        string answer;
        try
        {
            answer = await context.CallActivityAsync<string>(nameof(ModelCallActivity), input.Prompt, TaskOptions.FromRetryPolicy(policy));
        }
        catch (TaskFailedException e)
        {
            return new ModelCallOutcome(false, null, context.IsReplaying, e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage);
        }

        var fromReplay = context.IsReplaying;
        context.SetCustomStatus(answer);
        if (input.AwaitNext)
        {
            await context.WaitForExternalEvent<string>(NextEvent);
        }

        return new ModelCallOutcome(true, answer, fromReplay, null, null);
    }
}
