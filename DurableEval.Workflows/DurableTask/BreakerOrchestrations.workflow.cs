using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>The dependency's behaviour: its n-th call (per orchestration, from 0) fails when <see cref="FailOnCall"/>[n] is true.</summary>
public sealed record DependencyCall(IReadOnlyList<bool> FailOnCall);

/// <summary>Fails or answers as the script says for this call's position; logs every call that reaches it.</summary>
public sealed class ScriptedDependencyActivity(DurableCallLog log) : TaskActivity<DependencyCall, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, DependencyCall input)
    {
        log.Record(context.InstanceId, nameof(ScriptedDependencyActivity));
        var n = log.Count(context.InstanceId, nameof(ScriptedDependencyActivity)) - 1;
        if (n < input.FailOnCall.Count && input.FailOnCall[n])
        {
            throw new InvalidOperationException($"dependency call {n + 1} failed");
        }

        return Task.FromResult(n + 1);
    }
}

/// <summary>
/// A sequence of requests through a circuit breaker. <see cref="DelaysBeforeMs"/>[i] is a durable timer before request i
/// (how cool-downs pass); <see cref="Unhandled"/> makes a rejection fail the run instead of being recorded.
/// </summary>
public sealed record BreakerPlan(int Threshold, int CoolDownMs, IReadOnlyList<bool> FailOnCall, IReadOnlyList<int> DelaysBeforeMs, bool Unhandled);

/// <summary>Thrown by the breaker instead of calling the dependency while it is open.</summary>
public sealed class CircuitOpenException(string message) : Exception(message);

/// <summary>
/// The custom circuit breaker: the consecutive-failure count and the open-until time live in orchestration state
/// (deterministic: orchestration time), an open breaker rejects without scheduling the call, and after the cool-down
/// one half-open probe decides whether it closes or re-opens. Each request's outcome is recorded:
/// ok, failed, rejected, probe-ok, probe-failed.
/// </summary>
public sealed class CircuitBreakerOrchestrator : TaskOrchestrator<BreakerPlan, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> RunAsync(TaskOrchestrationContext context, BreakerPlan input)
    {
        var outcomes = new List<string>();
        var failures = 0;
        DateTime? openUntil = null;
        var call = new DependencyCall(input.FailOnCall);
        foreach (var delay in input.DelaysBeforeMs)
        {
            if (delay > 0)
            {
                await context.CreateTimer(TimeSpan.FromMilliseconds(delay), CancellationToken.None);
            }

            var probe = openUntil is { } until && context.CurrentUtcDateTime >= until;
            if (openUntil is not null && !probe)
            {
                if (input.Unhandled)
                {
                    throw new CircuitOpenException($"circuit open after {failures} consecutive failures");
                }

                outcomes.Add("rejected");
                continue;
            }

            try
            {
                await context.CallActivityAsync<int>(nameof(ScriptedDependencyActivity), call);
                failures = 0;
                openUntil = null;
                outcomes.Add(probe ? "probe-ok" : "ok");
            }
            catch (TaskFailedException)
            {
                failures++;
                if (probe || failures >= input.Threshold)
                {
                    openUntil = context.CurrentUtcDateTime.AddMilliseconds(input.CoolDownMs);
                }

                outcomes.Add(probe ? "probe-failed" : "failed");
            }
        }

        return outcomes;
    }
}

/// <summary>
/// The same requests with the breaker left out: every request calls the dependency. A deliberately broken
/// orchestration the self-test runs RT-03's tripping checks against, to show they fail without a breaker.
/// </summary>
public sealed class BreakerLeftOutOrchestrator : TaskOrchestrator<BreakerPlan, IReadOnlyList<string>>
{
    public override async Task<IReadOnlyList<string>> RunAsync(TaskOrchestrationContext context, BreakerPlan input)
    {
        var outcomes = new List<string>();
        foreach (var _ in input.DelaysBeforeMs)
        {
            try
            {
                await context.CallActivityAsync<int>(nameof(ScriptedDependencyActivity), new DependencyCall(input.FailOnCall));
                outcomes.Add("ok");
            }
            catch (TaskFailedException)
            {
                outcomes.Add("failed");
            }
        }

        return outcomes;
    }
}
