using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>Sleeps <c>input</c> ms, logging its start and its end: a slow call whose fate after a timeout can be observed.</summary>
public sealed class SlowCallActivity(DurableCallLog log) : TaskActivity<int, int>
{
    public const string Started = "slow-start";
    public const string Ended = "slow-end";

    public override async Task<int> RunAsync(TaskActivityContext context, int input)
    {
        log.Record(context.InstanceId, Started);
        await Task.Delay(input);
        log.Record(context.InstanceId, Ended);
        return input;
    }
}

/// <summary>A call of <see cref="ActivityMs"/> given <see cref="TimeoutMs"/> by a durable timer raced against it.</summary>
public sealed record TimedCall(int ActivityMs, int TimeoutMs);

/// <summary>What ended the wait (the call or the timer), the call's result, and the orchestration time it took.</summary>
public sealed record TimedCallOutcome(string EndedBy, int? Result, double WaitedMs);

/// <summary>
/// Durable Task's documented activity timeout: a durable timer raced against the call with Task.WhenAny. The timer
/// only stops the waiting; the activity itself is not stopped (the SDK has no way to cancel it).
/// </summary>
public sealed class TimerRacedCallOrchestrator : TaskOrchestrator<TimedCall, TimedCallOutcome>
{
    public override async Task<TimedCallOutcome> RunAsync(TaskOrchestrationContext context, TimedCall input)
    {
        var started = context.CurrentUtcDateTime;
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(TimeSpan.FromMilliseconds(input.TimeoutMs), cancelTimer.Token);
        var call = context.CallActivityAsync<int>(nameof(SlowCallActivity), input.ActivityMs);
        if (await Task.WhenAny(call, timer) == call)
        {
#pragma warning disable CA1849 // Cancel, not CancelAsync: the orchestrator must stay on its own thread.
            cancelTimer.Cancel();
#pragma warning restore CA1849
            return new TimedCallOutcome("call", call.Result, (context.CurrentUtcDateTime - started).TotalMilliseconds);
        }

        return new TimedCallOutcome("timer", null, (context.CurrentUtcDateTime - started).TotalMilliseconds);
    }
}

/// <summary>Calls the slow activity under a retry policy and returns its result: a stalled attempt is simply waited out.</summary>
public sealed class StalledCallOrchestrator : TaskOrchestrator<int, int>
{
    public override Task<int> RunAsync(TaskOrchestrationContext context, int input) =>
        context.CallActivityAsync<int>(nameof(SlowCallActivity), input, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50))));
}
