using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Compensation;

/// <summary>Charges a card with a bounded retry policy and lets the exhausted failure fail the run.</summary>
[Workflow]
public class ChargeUntilExhaustedWorkflow
{
    public const int MaximumAttempts = 3;

    [WorkflowRun]
    public Task<string> RunAsync(string payment) =>
        Workflow.ExecuteActivityAsync((PaymentActivities a) => a.ChargeCard(payment), Options);

    internal static ActivityOptions Options => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        RetryPolicy = new() { InitialInterval = TimeSpan.FromMilliseconds(100), BackoffCoefficient = 1, MaximumAttempts = MaximumAttempts },
    };
}

/// <summary>What a parked run shows an operator.</summary>
public sealed record ParkingState(bool Parked, int Parks, string? LastError);

/// <summary>
/// The "parking" pattern Temporal offers instead of a dead-letter queue: when retries are exhausted the run does
/// not fail; it records the error, waits for an operator's "retry" signal, and tries again.
/// </summary>
[Workflow]
public class ParkOnExhaustionWorkflow
{
    private bool retryRequested;

    [WorkflowQuery]
    public ParkingState State { get; private set; } = new(false, 0, null);

    [WorkflowRun]
    public async Task<string> RunAsync(string payment)
    {
        while (true)
        {
            try
            {
                var charged = await Workflow.ExecuteActivityAsync((PaymentActivities a) => a.ChargeCard(payment), ChargeUntilExhaustedWorkflow.Options);
                State = State with { Parked = false };
                return charged;
            }
            catch (ActivityFailureException e)
            {
                State = new(true, State.Parks + 1, $"{e.ActivityType} failed ({e.RetryState}): {e.InnerException?.Message}");
                await Workflow.WaitConditionAsync(() => retryRequested);
                retryRequested = false;
                State = State with { Parked = false };
            }
        }
    }

    [WorkflowSignal]
    public Task RetryAsync()
    {
        retryRequested = true;
        return Task.CompletedTask;
    }
}

/// <summary>A payment processor that is down until a fact repairs it; every charge attempt is counted per workflow.</summary>
public sealed class PaymentProcessor
{
    private readonly InvocationCounter attempts = new();
    private volatile bool healthy;

    public bool Healthy
    {
        get => healthy;
        set => healthy = value;
    }

    public int AttemptsBy(string workflowId) => attempts[workflowId];

    internal void Attempt(string workflowId) => attempts.Increment(workflowId);
}

public sealed class PaymentActivities(PaymentProcessor processor)
{
    public const string Down = "ProcessorDown";

    [Activity]
    public string ChargeCard(string payment)
    {
        processor.Attempt(ActivityExecutionContext.Current.Info.WorkflowId ?? "standalone");
        if (!processor.Healthy)
        {
            throw new ApplicationFailureException($"card processor down while charging {payment}", Down);
        }

        return $"charged:{payment}";
    }
}
