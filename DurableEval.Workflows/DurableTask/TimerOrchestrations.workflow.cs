using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>An eternal run's carried state: ticks done, the tick to stop after (0: never), and the interval.</summary>
public sealed record TickState(int Ticks, int StopAfter, int IntervalMs);

/// <summary>Records one tick in the log with its number.</summary>
public sealed class TickActivity(DurableCallLog log) : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        log.Record(context.InstanceId, "tick", input.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.FromResult(input);
    }
}

/// <summary>
/// Durable Task's substitute for a schedule: an eternal orchestration that sleeps a durable timer, ticks, and starts
/// over with ContinueAsNew carrying the count, until <see cref="TickState.StopAfter"/> ticks (never when 0).
/// </summary>
public sealed class EternalTickerOrchestrator : TaskOrchestrator<TickState, TickState>
{
    public override async Task<TickState> RunAsync(TaskOrchestrationContext context, TickState input)
    {
        await context.CreateTimer(TimeSpan.FromMilliseconds(input.IntervalMs), CancellationToken.None);
        var tick = await context.CallActivityAsync<int>(nameof(TickActivity), input.Ticks + 1);
        var next = input with { Ticks = tick };
        if (input.StopAfter > 0 && next.Ticks >= input.StopAfter)
        {
            return next;
        }

        context.ContinueAsNew(next);
        return next;
    }
}

/// <summary>How a durable sleep ended in orchestration time: when it started and when the orchestration woke.</summary>
public sealed record SleepOutcome(DateTime Started, DateTime Woke);

/// <summary>Sleeps a durable timer of the input's length (in milliseconds) and reports start and wake in orchestration time.</summary>
public sealed class DurableSleepOrchestrator : TaskOrchestrator<long, SleepOutcome>
{
    public override async Task<SleepOutcome> RunAsync(TaskOrchestrationContext context, long input)
    {
        var started = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(input), CancellationToken.None);
        return new SleepOutcome(started, context.CurrentUtcDateTime);
    }
}

/// <summary>The state EX-04 follows through every kind of step: an activity's result, an event's payload, a timer, a hand-over.</summary>
public sealed record CarriedState(int Generation, IReadOnlyList<string> Steps);

/// <summary>
/// Builds its state from an activity result, an event payload and a 200 ms durable timer, exposes it as its custom
/// status while it waits, then hands it to the next run with ContinueAsNew; the second run returns it.
/// </summary>
public sealed class CarriedStateOrchestrator : TaskOrchestrator<CarriedState, CarriedState>
{
    public const string NoteEvent = "note";
    public const int TimerMs = 200;

    public override async Task<CarriedState> RunAsync(TaskOrchestrationContext context, CarriedState input)
    {
        if (input.Generation > 0)
        {
            return input with { Steps = [.. input.Steps, $"continued:{input.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)}"] };
        }

        var steps = new List<string>(input.Steps);
        steps.Add($"activity:{await context.CallActivityAsync<int>(nameof(TickActivity), 41)}");
        context.SetCustomStatus(new CarriedState(input.Generation, steps.ToList()));
        steps.Add($"event:{await context.WaitForExternalEvent<string>(NoteEvent)}");
        await context.CreateTimer(TimeSpan.FromMilliseconds(TimerMs), CancellationToken.None);
        steps.Add("timer");
        context.ContinueAsNew(new CarriedState(input.Generation + 1, steps));
        return input;
    }
}
