using Temporalio.Activities;
using Temporalio.Converters;
using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

// The common determinism pitfalls of .NET workflow code, one small workflow each. Each lets the value the pitfall
// produces choose the next command (the activity type "Draw-<value>"), which is the harmful case: a replay that
// computes a different value issues a different command. DX-06 runs each and records who, if anyone, catches it.
#pragma warning disable CA2008, CA5394, CA1849, CA2016 // The pitfalls are the point of these workflows.

/// <summary>Answers any activity type with its own name, so a pitfall workflow can pick types freely.</summary>
public sealed class PitfallActivities
{
    [Activity(Dynamic = true)]
    public string Any(IRawValue[] args) => ActivityExecutionContext.Current.Info.ActivityType;
}

internal static class Draw
{
    public static Task<string> CommandAsync(object value) =>
        Workflow.ExecuteActivityAsync<string>($"Draw-{value}", [], new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

/// <summary>Awaits work on the .NET thread pool.</summary>
[Workflow]
public class ThreadPoolPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync() => await Draw.CommandAsync(await Task.Run(() => 7));
}

/// <summary>Sleeps with Task.Delay (a thread-pool timer) instead of Workflow.DelayAsync.</summary>
[Workflow]
public class TaskDelayPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(5));
        return await Draw.CommandAsync("slept");
    }
}

/// <summary>Reads the machine clock instead of Workflow.UtcNow.</summary>
[Workflow]
public class WallClockPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync() => await Draw.CommandAsync(DateTime.UtcNow.Ticks % 1_000_000);
}

/// <summary>Draws from System.Random instead of Workflow.Random.</summary>
[Workflow]
public class SystemRandomPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync() => await Draw.CommandAsync(Random.Shared.Next(1_000_000));
}

/// <summary>Creates an id with Guid.NewGuid instead of Workflow.NewGuid.</summary>
[Workflow]
public class NewGuidPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync() => await Draw.CommandAsync(Guid.NewGuid().ToString("N")[..8]);
}

/// <summary>Takes the "first" element of a HashSet of strings, whose order follows per-process randomized string hashes.</summary>
[Workflow]
public class HashOrderPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        var regions = new HashSet<string>(StringComparer.Ordinal) { "eu-west", "us-east", "ap-south", "sa-east", "af-south", "me-central" };
        return await Draw.CommandAsync(regions.First());
    }
}

/// <summary>Keeps a counter in a static field, shared by every run and replay in the process.</summary>
[Workflow]
public class StaticStatePitfallWorkflow
{
    private static int runs;

    [WorkflowRun]
    public async Task<string> RunAsync() => await Draw.CommandAsync(Interlocked.Increment(ref runs));
}

/// <summary>Sets a durable timer's length from System.Random: the command type is the same, only its argument differs.</summary>
[Workflow]
public class RandomTimerPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1 + Random.Shared.Next(50)));
        return await Draw.CommandAsync("timer");
    }
}

/// <summary>Races a durable timer against an activity with Task.WhenAny instead of Workflow.WhenAnyAsync.</summary>
[Workflow]
public class TaskWhenAnyPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        var activity = Draw.CommandAsync("raced");
        var first = await Task.WhenAny(activity, Workflow.DelayAsync(TimeSpan.FromHours(1)));
        return first == activity ? await activity : "timer";
    }
}

/// <summary>Leaves the workflow scheduler with ConfigureAwait(false), then carries on with workflow calls.</summary>
[Workflow]
public class ConfigureAwaitPitfallWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1)).ConfigureAwait(false);
        return await Draw.CommandAsync("after-configure-await");
    }
}

/// <summary>Blocks the workflow thread with Thread.Sleep for longer than the SDK's deadlock threshold (2 s).</summary>
[Workflow]
public class BlockingSleepPitfallWorkflow
{
    public static readonly TimeSpan Block = TimeSpan.FromMilliseconds(2_300);

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        Thread.Sleep(Block);
        return await Draw.CommandAsync("woke");
    }
}
#pragma warning restore CA2008, CA5394, CA1849, CA2016
