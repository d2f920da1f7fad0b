using Temporalio.Workflows;

namespace DurableEval.Workflows.Performance;

/// <summary>Schedules N activities at once and returns every result, so completeness is checked, not assumed.</summary>
[Workflow]
public class FanOutActivitiesWorkflow
{
    [WorkflowRun]
    public async Task<int[]> RunAsync(int count)
    {
        var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30) };
        var branches = Enumerable.Range(0, count).Select(i => Workflow.ExecuteActivityAsync((StepClock c) => c.EchoAsync(i), options));
        return await Workflow.WhenAllAsync(branches);
    }
}

/// <summary>
/// Keeps more activities pending than a real server allows (2,000 by default): they are scheduled on a queue no
/// worker polls, so none can finish and the server's limit is what ends the attempt.
/// </summary>
[Workflow]
public class PendingActivitiesBeyondLimitWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync(int count, string idleQueue)
    {
        var options = new ActivityOptions { TaskQueue = idleQueue, ScheduleToCloseTimeout = TimeSpan.FromMinutes(1) };
        var branches = Enumerable.Range(0, count).Select(i => Workflow.ExecuteActivityAsync((StepClock c) => c.EchoAsync(i), options));
        var results = await Workflow.WhenAllAsync(branches);
        return results.Length;
    }
}
