using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// Three steps, each awaited before the next, so the run is three replays after its first execution. The log entry
/// at the top of every execution is the fact's instrument (it counts executions and sees whether each replays),
/// never an input to the orchestration's decisions. The custom status plays the role of a query answer.
/// </summary>
public sealed class ThreeStepOrchestrator(DurableCallLog log) : TaskOrchestrator<string, string>
{
    public const string Execution = "execution";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        log.Record(context.InstanceId, Execution, context.IsReplaying ? "replaying" : "fresh");
        var results = new List<string>();
        foreach (var step in new[] { "1", "2", "3" })
        {
            results.Add(await context.CallActivityAsync<string>(nameof(RecordedStepActivity), $"{input}-{step}"));
            context.SetCustomStatus($"{results.Count} of 3 steps: {string.Join(",", results)}");
        }

        return string.Join(",", results);
    }
}
