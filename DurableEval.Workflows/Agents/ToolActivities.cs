using Temporalio.Activities;
using Temporalio.Converters;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Every tool as its own activity type: one dynamic activity takes the tool name from the activity type, so
/// history shows "get_weather", "check_inventory" ... and each tool gets its own retry and timeout options.
/// </summary>
public sealed class ToolActivities(AgentToolbox toolbox, ActivityJournal journal)
{
    [Activity(Dynamic = true)]
    public Task<string> InvokeAsync(IRawValue[] args)
    {
        var context = ActivityExecutionContext.Current;
        journal.Record(context.Info);
        var argumentsJson = context.PayloadConverter.ToValue<string>(args[0]);
        return toolbox.InvokeAsync(context.Info.ActivityType, argumentsJson, context.CancellationToken);
    }
}
