using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>One charge: the idempotency key the orchestrator made (null: none) for the external store.</summary>
public sealed record ChargeRequest(string? Key);

/// <summary>
/// Performs its external effect, then fails on its first attempt (as a worker losing the reply would), so a retry
/// repeats the effect. Durable Task gives an activity no attempt number, so the attempt is counted from the log; with
/// a key, the external store (the log's "charged" entries) takes the effect only once per key.
/// </summary>
public sealed class ChargeThenFailOnceActivity(DurableCallLog log) : TaskActivity<ChargeRequest, int>
{
    public const string RawEffect = "raw-effect";
    public const string Charged = "charged";

    public override Task<int> RunAsync(TaskActivityContext context, ChargeRequest input)
    {
        log.Record(context.InstanceId, RawEffect);
        if (input.Key is null || !log.For(context.InstanceId).Any(c => c.Step == Charged && c.Detail == input.Key))
        {
            log.Record(context.InstanceId, Charged, input.Key ?? "");
        }

        var attempt = log.Count(context.InstanceId, RawEffect);
        return attempt == 1 ? throw new TimeoutException("reply lost after the effect") : Task.FromResult(attempt);
    }
}

/// <summary>Charges through a retry policy (3 attempts, 50 ms apart), with a key from context.NewGuid() when asked (replay-safe).</summary>
public sealed class ChargeOrchestrator : TaskOrchestrator<bool, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, bool withKey) =>
        context.CallActivityAsync<int>(
            nameof(ChargeThenFailOnceActivity),
            new ChargeRequest(withKey ? $"{context.InstanceId}:{context.NewGuid():N}" : null),
            TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50))));
}
