using System.Globalization;
using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

// DX-06's catalogue: orchestrators that each break one documented orchestrator code constraint the way a newcomer
// would. Each logs the value its forbidden construct produced on every execution (the first and every replay), so
// the fact can tell a value that silently changed between executions from one the SDK stopped.

/// <summary>Reads the wall clock (DateTime.UtcNow) instead of context.CurrentUtcDateTime and passes it to a step.</summary>
public sealed class WallClockPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        PitfallSteps.StampAsync(context, log, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>Makes an id with Guid.NewGuid instead of context.NewGuid and passes it to a step.</summary>
public sealed class NewGuidPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        PitfallSteps.StampAsync(context, log, Guid.NewGuid().ToString("N"));
}

/// <summary>Draws from System.Random and passes the number to a step.</summary>
public sealed class SystemRandomPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        PitfallSteps.StampAsync(context, log, Random.Shared.Next().ToString(CultureInfo.InvariantCulture));
}

/// <summary>Counts its executions in a static field, as code that keeps state outside the orchestration would.</summary>
public sealed class StaticStatePitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    private static int executions;

    public override Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        PitfallSteps.StampAsync(context, log, Interlocked.Increment(ref executions).ToString(CultureInfo.InvariantCulture));
}

/// <summary>Does I/O in the orchestrator: appends a line to a file (the input path) and passes the file's line count to a step.</summary>
public sealed class FileIoPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string path)
    {
        File.AppendAllText(path, "order written" + Environment.NewLine);
        return PitfallSteps.StampAsync(context, log, File.ReadAllLines(path).Length.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>Schedules one step per item in HashSet iteration order, which .NET does not promise to keep.</summary>
public sealed class HashOrderPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var items = new HashSet<string>(StringComparer.Ordinal) { "alpha", "bravo", "charlie", "delta", "echo" };
        var order = string.Join(",", items);
        log.Record(context.InstanceId, PitfallSteps.Value, order);
        foreach (var item in items)
        {
            await context.CallActivityAsync<string>(nameof(RecordedStepActivity), item);
        }

        return order;
    }
}

/// <summary>Awaits a step with ConfigureAwait(false), so what follows may run off the orchestrator's thread, then calls another.</summary>
public sealed class ConfigureAwaitPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        log.Record(context.InstanceId, PitfallSteps.Value, "start");
        await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "first").ConfigureAwait(false);
        return await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "second");
    }
}

/// <summary>Races a step against a Task.Delay timeout instead of a durable timer (context.CreateTimer).</summary>
public sealed class DelayRacePitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        log.Record(context.InstanceId, PitfallSteps.Value, "start");
        var step = context.CallActivityAsync<string>(nameof(RecordedStepActivity), "raced");
        var first = await Task.WhenAny(step, Task.Delay(TimeSpan.FromSeconds(5)));
        return first == step ? await step : "timed out";
    }
}

/// <summary>Blocks the orchestrator's thread with Thread.Sleep before a step.</summary>
public sealed class BlockingSleepPitfallOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        Thread.Sleep(50);
        return PitfallSteps.StampAsync(context, log, "slept");
    }
}

public static class PitfallSteps
{
    /// <summary>The log step under which a pitfall orchestrator records what each execution saw.</summary>
    public const string Value = "value";

    /// <summary>Logs the value this execution produced, then hands it to a step, as real code would use it.</summary>
    public static async Task<string> StampAsync(TaskOrchestrationContext context, DurableCallLog log, string value)
    {
        log.Record(context.InstanceId, Value, value);
        await context.CallActivityAsync<string>(nameof(RecordedStepActivity), $"stamp:{value}");
        return value;
    }
}
