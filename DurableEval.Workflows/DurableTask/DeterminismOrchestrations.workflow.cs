using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>Records each run of a named step, so a fact can tell a replay (no new calls) from a re-execution.</summary>
public sealed class RecordedStepActivity(DurableCallLog log) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, input);
        return Task.FromResult($"done:{input}");
    }
}

/// <summary>Step "B": another activity, so a replay that calls it where history recorded step "A" is a different task.</summary>
public sealed class OtherStepActivity(DurableCallLog log) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, input);
        return Task.FromResult($"done:{input}");
    }
}

/// <summary>
/// Stands in for orchestrator code changed while a run was in flight: its first execution calls activity A, every
/// replay calls another activity (B) at the same position, as a redeployed orchestrator with reordered steps would.
/// </summary>
public sealed class ReplayDivergingOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var first = context.IsReplaying
            ? await context.CallActivityAsync<string>(nameof(OtherStepActivity), "B")
            : await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "A");
        var second = await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "C");
        return $"{first},{second}";
    }
}

/// <summary>Changed code that keeps the activity but changes its input on replay ("A" first, "A2" on replay).</summary>
public sealed class ReplayInputChangingOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var first = await context.CallActivityAsync<string>(nameof(RecordedStepActivity), context.IsReplaying ? "A2" : "A");
        var second = await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "C");
        return $"{first},{second}";
    }
}

/// <summary>The control: the same two steps, unchanged between executions, so every replay matches its history.</summary>
public sealed class ReplayStableOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var first = await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "A");
        var second = await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "C");
        return $"{first},{second}";
    }
}
