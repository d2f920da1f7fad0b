using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// Calls the same activity name twice: once on its own task queue, once routed to a second queue. Two workers
/// register different implementations under that name, so each result says which worker ran the call.
/// </summary>
[Workflow]
public class RoutesActivityByQueueWorkflow
{
    [WorkflowRun]
    public async Task<RoutedResults> RunAsync(string routedQueue)
    {
        var local = await Workflow.ExecuteActivityAsync<string>(
            RoutingActivities.Name, [], new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
        var routed = await Workflow.ExecuteActivityAsync<string>(
            RoutingActivities.Name, [], new() { StartToCloseTimeout = TimeSpan.FromSeconds(30), TaskQueue = routedQueue });
        return new(local, routed);
    }
}

public sealed record RoutedResults(string Local, string Routed);

/// <summary>One worker's implementation of the routed activity, labelled so its result names the worker.</summary>
public sealed class RoutingActivities(string label)
{
    public const string Name = "WhereAmI";

    [Activity(Name)]
    public string WhereAmI() => $"{label}@{ActivityExecutionContext.Current.Info.TaskQueue}";
}

/// <summary>
/// Schedules one activity per priority key, in the given order, on a queue no worker polls yet, then waits for
/// all; a worker started later sees a backlog and the dispatch order shows whether priority was honoured.
/// </summary>
[Workflow]
public class PriorityBacklogWorkflow
{
    [WorkflowRun]
    public async Task RunAsync(string backlogQueue, IReadOnlyList<int> priorityKeys)
    {
        var calls = priorityKeys.Select(key => Workflow.ExecuteActivityAsync(
            (PriorityActivities a) => a.Record(),
            new()
            {
                TaskQueue = backlogQueue,
                StartToCloseTimeout = TimeSpan.FromSeconds(30),
                Priority = new Priority(priorityKey: key),
            })).ToList();
        await Workflow.WhenAllAsync(calls);
    }
}

/// <summary>Records the priority key of each activity in the order the worker was handed them.</summary>
public sealed class PriorityActivities
{
    private readonly ConcurrentQueue<int> order = new();

    public IReadOnlyList<int> DispatchOrder => order.ToList();

    [Activity]
    public void Record() => order.Enqueue(ActivityExecutionContext.Current.Info.Priority?.PriorityKey ?? 0);
}
