using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>The downstream dependency's state, a singleton a fact repairs before re-handling the failed runs.</summary>
public sealed class DependencyState
{
    private volatile bool repaired;

    public bool Repaired => repaired;

    public void Repair() => repaired = true;
}

/// <summary>Charges an order; orders named "bad-..." are refused with InvalidOperationException until the dependency is repaired.</summary>
public sealed class ChargeOrderActivity(DurableCallLog log, DependencyState dependency) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, nameof(ChargeOrderActivity), input);
        if (input.StartsWith("bad-", StringComparison.Ordinal) && !dependency.Repaired)
        {
            throw new InvalidOperationException($"charge refused for {input}");
        }

        return Task.FromResult($"charged {input}");
    }
}

/// <summary>Charges the order with a retry policy of <see cref="Attempts"/> attempts 50 ms apart; exhausting them fails the run.</summary>
public sealed class ChargeOrderOrchestrator : TaskOrchestrator<string, string>
{
    public const int Attempts = 3;

    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        context.CallActivityAsync<string>(
            nameof(ChargeOrderActivity),
            input,
            TaskOptions.FromRetryPolicy(new RetryPolicy(Attempts, TimeSpan.FromMilliseconds(50))));
}
