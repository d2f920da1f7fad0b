using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// A retried activity call. <see cref="NonRetryableErrorType"/> is the failure type the caller's policy refuses to
/// retry (Durable Task has no non-retryable flag on the failure itself: the caller's HandleFailure decides).
/// </summary>
public sealed record RetryCase(int MaxAttempts, int FirstIntervalMs, double Coefficient, int? MaxIntervalMs, int FailuresBefore, string ErrorType, string? NonRetryableErrorType);

/// <summary>How the retried call ended, as the orchestrator saw it.</summary>
public sealed record RetryOutcome(bool Succeeded, int Result, string? FailureExceptionType, string? FailureErrorType, string? FailureMessage);

/// <summary>The flaky call's input: how many leading attempts fail and with which exception type.</summary>
public sealed record FlakyRequest(int FailuresBefore, string ErrorType);

/// <summary>Fails its first <see cref="FlakyRequest.FailuresBefore"/> executions for the orchestration, then returns its attempt number.</summary>
public sealed class FlakyUntilAttemptActivity(DurableCallLog log) : TaskActivity<FlakyRequest, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, FlakyRequest input)
    {
        log.Record(context.InstanceId, nameof(FlakyUntilAttemptActivity));
        var attempt = log.Count(context.InstanceId, nameof(FlakyUntilAttemptActivity));
        if (attempt <= input.FailuresBefore)
        {
            throw input.ErrorType == nameof(ArgumentException)
                ? new ArgumentException($"attempt {attempt} rejected")
                : new InvalidOperationException($"attempt {attempt} failed");
        }

        return Task.FromResult(attempt);
    }
}

/// <summary>Calls the flaky activity with the retry policy its input describes and reports how the call ended.</summary>
public sealed class RetriedCallOrchestrator : TaskOrchestrator<RetryCase, RetryOutcome>
{
    public override async Task<RetryOutcome> RunAsync(TaskOrchestrationContext context, RetryCase input)
    {
        var policy = new RetryPolicy(
            input.MaxAttempts,
            TimeSpan.FromMilliseconds(input.FirstIntervalMs),
            input.Coefficient,
            input.MaxIntervalMs is { } max ? TimeSpan.FromMilliseconds(max) : null)
        {
            HandleFailure = failure => input.NonRetryableErrorType is null || failure.ErrorType != input.NonRetryableErrorType,
        };
        return await FlakyCall.RunAsync(context, input, TaskOptions.FromRetryPolicy(policy));
    }
}

/// <summary>
/// The same call with its retry policy dropped: a deliberately broken orchestration the self-test runs RT-01's check
/// against, to show the check fails when retries do not happen.
/// </summary>
public sealed class RetryPolicyDroppedOrchestrator : TaskOrchestrator<RetryCase, RetryOutcome>
{
    public override Task<RetryOutcome> RunAsync(TaskOrchestrationContext context, RetryCase input) => FlakyCall.RunAsync(context, input, null);
}

internal static class FlakyCall
{
    public static async Task<RetryOutcome> RunAsync(TaskOrchestrationContext context, RetryCase input, TaskOptions? options)
    {
        try
        {
            var result = await context.CallActivityAsync<int>(nameof(FlakyUntilAttemptActivity), new FlakyRequest(input.FailuresBefore, input.ErrorType), options);
            return new RetryOutcome(true, result, null, null, null);
        }
        catch (TaskFailedException e)
        {
            return new RetryOutcome(false, 0, e.GetType().Name, e.FailureDetails.ErrorType, e.FailureDetails.ErrorMessage);
        }
    }
}
