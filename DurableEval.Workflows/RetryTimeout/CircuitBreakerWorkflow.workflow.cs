using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>Closed passes calls; open rejects them; half-open lets one probe through.</summary>
public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// A circuit breaker whose state lives in workflow fields, so it is durable and replays with the run. Temporal
/// has none built in for activities: this is the user code the pattern needs. It counts consecutive failures,
/// opens at the threshold, rejects calls with a non-retryable error without making them while open, and after
/// the cool-down (workflow time) lets a single probe through: success closes it, failure re-opens it.
/// </summary>
public sealed class CircuitBreaker(int threshold, TimeSpan coolDown)
{
    public const string OpenErrorType = "CircuitOpen";

    private DateTime openedAt;
    private bool probeInFlight;

    public BreakerState State { get; private set; } = BreakerState.Closed;

    public int ConsecutiveFailures { get; private set; }

    /// <summary>The state a request arriving now meets: an open breaker whose cool-down has passed is half-open.</summary>
    public BreakerState StateNow()
    {
        if (State == BreakerState.Open && Workflow.UtcNow - openedAt >= coolDown)
        {
            State = BreakerState.HalfOpen;
        }

        return State;
    }

    public async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        StateNow();
        if (State == BreakerState.Open || (State == BreakerState.HalfOpen && probeInFlight))
        {
            throw new ApplicationFailureException(
                $"circuit open after {ConsecutiveFailures} consecutive failures; next probe allowed at {openedAt + coolDown:O}",
                OpenErrorType,
                nonRetryable: true);
        }

        probeInFlight = State == BreakerState.HalfOpen;
        try
        {
            var result = await call();
            State = BreakerState.Closed;
            ConsecutiveFailures = 0;
            return result;
        }
        catch (ActivityFailureException)
        {
            ConsecutiveFailures++;
            if (State == BreakerState.HalfOpen || ConsecutiveFailures >= threshold)
            {
                State = BreakerState.Open;
                openedAt = Workflow.UtcNow;
            }

            throw;
        }
        finally
        {
            probeInFlight = false;
        }
    }
}

/// <summary>A step of a scenario: make a request, or wait out the breaker's cool-down.</summary>
public enum BreakerStep
{
    Request,
    WaitCoolDown,
}

/// <summary>
/// The requests a run makes through its breaker. With <see cref="FailWhenOpen"/> a rejection is not handled:
/// the run itself fails fast with the breaker's non-retryable error.
/// </summary>
public sealed record BreakerScenario(int Threshold, TimeSpan CoolDown, IReadOnlyList<BreakerStep> Steps, bool FailWhenOpen = false);

/// <summary>What one request met: the breaker state before and after, and how it ended.</summary>
public sealed record RequestOutcome(int Request, BreakerState Before, string Outcome, BreakerState After, string? ErrorType, bool NonRetryable, DateTime At);

/// <summary>
/// Sends a scenario's requests to a flaky dependency through a <see cref="CircuitBreaker"/> and returns what
/// each request met; the dependency's own log says which requests actually reached it.
/// </summary>
[Workflow]
public class CircuitBreakerWorkflow
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Rejected = "rejected";

    [WorkflowRun]
    public async Task<IReadOnlyList<RequestOutcome>> RunAsync(BreakerScenario scenario)
    {
        var breaker = new CircuitBreaker(scenario.Threshold, scenario.CoolDown);
        var outcomes = new List<RequestOutcome>();
        var request = 0;
        foreach (var step in scenario.Steps)
        {
            if (step == BreakerStep.WaitCoolDown)
            {
                await Workflow.DelayAsync(scenario.CoolDown);
                continue;
            }

            var current = ++request;
            var before = breaker.StateNow();
            try
            {
                // One attempt per call: the breaker, not the retry policy, decides what happens after a failure.
                await breaker.CallAsync(() => Workflow.ExecuteActivityAsync(
                    (DependencyActivities d) => d.Call(current),
                    new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = new RetryPolicy { MaximumAttempts = 1 } }));
                outcomes.Add(new(current, before, Succeeded, breaker.State, null, false, Workflow.UtcNow));
            }
            catch (ActivityFailureException e)
            {
                outcomes.Add(new(current, before, Failed, breaker.State, (e.InnerException as ApplicationFailureException)?.ErrorType, false, Workflow.UtcNow));
            }
            catch (ApplicationFailureException e) when (e.ErrorType == CircuitBreaker.OpenErrorType && !scenario.FailWhenOpen)
            {
                outcomes.Add(new(current, before, Rejected, breaker.State, e.ErrorType, e.NonRetryable, Workflow.UtcNow));
            }
        }

        return outcomes;
    }
}

/// <summary>The protected dependency: fails while its scripted outage lasts, and logs every request it receives.</summary>
public sealed class DependencyActivities(DependencyLog log)
{
    public const string DownErrorType = "DependencyDown";

    [Activity]
    public string Call(int request)
    {
        var workflowId = ActivityExecutionContext.Current.Info.WorkflowId ?? "standalone";
        if (log.Call(workflowId, request))
        {
            throw new ApplicationFailureException($"dependency unavailable for request {request}", DownErrorType);
        }

        return $"served request {request}";
    }
}
