using Temporalio.Converters;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// One cron tick: returns how many ticks ran so far, read from the previous run's result, so the latest run's
/// recorded last completion result counts the runs the cron schedule started.
/// </summary>
[Workflow]
public class CronTickWorkflow
{
    [WorkflowRun]
    public Task<int> RunAsync()
    {
        var previous = Workflow.Info.LastResult?.FirstOrDefault() is { } last ? Workflow.PayloadConverter.ToValue<int>(last) : 0;
        return Task.FromResult(previous + 1);
    }
}
