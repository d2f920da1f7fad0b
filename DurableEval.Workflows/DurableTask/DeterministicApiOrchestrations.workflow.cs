using System.Globalization;
using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// Reads the context's clock and GUIDs at three points (before a step, after it, after a short timer) and logs what
/// every execution saw, so a fact can compare the first execution with each replay. The log is the fact's instrument.
/// </summary>
public sealed class DeterministicApisOrchestrator(DurableCallLog log) : TaskOrchestrator<int, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int timerMs)
    {
        var seen = new List<string>();
        void Read(string point)
        {
            var value = $"{context.CurrentUtcDateTime.ToString("O", CultureInfo.InvariantCulture)}|{context.NewGuid():N}";
            seen.Add(value);
            log.Record(context.InstanceId, point, value);
        }

        Read("start");
        await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "step");
        Read("after-step");
        await context.CreateTimer(TimeSpan.FromMilliseconds(timerMs), CancellationToken.None);
        Read("after-timer");
        return string.Join(";", seen);
    }
}

/// <summary>Awaits work on the thread pool (Task.Run), which the orchestrator constraints forbid, then calls a step.</summary>
public sealed class ThreadPoolTaskOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        var computed = await Task.Run(() => input.Length);
        return await context.CallActivityAsync<string>(nameof(RecordedStepActivity), $"after-task-run-{computed}");
    }
}

/// <summary>Sleeps with Task.Delay instead of a durable timer, which the orchestrator constraints forbid, then calls a step.</summary>
public sealed class ThreadPoolDelayOrchestrator : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        await Task.Delay(50);
        return await context.CallActivityAsync<string>(nameof(RecordedStepActivity), "after-task-delay");
    }
}
