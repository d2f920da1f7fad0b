using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// One of each kind of step (activity, signal wait, timer) with its progress exposed by a query, so a fact can
/// read the history in order and check that state survives a worker being replaced.
/// </summary>
[Workflow]
public class HistoryRecordsEveryStepWorkflow
{
    private bool approved;

    [WorkflowQuery]
    public PersistedState State { get; private set; } = new("started", string.Empty);

    [WorkflowRun]
    public async Task<string> RunAsync(string order)
    {
        var prepared = await Workflow.ExecuteActivityAsync(
            () => PersistenceActivities.Prepare(order),
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
        State = new("awaiting-approval", prepared);
        await Workflow.WaitConditionAsync(() => approved);
        State = State with { Stage = "cooling-down" };

        // Short enough to be harmless on a real server; skipped on the time-skipping one.
        await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
        State = State with { Stage = "done" };
        return prepared + "|approved";
    }

    [WorkflowSignal]
    public Task ApproveAsync()
    {
        approved = true;
        return Task.CompletedTask;
    }
}

public sealed record PersistedState(string Stage, string Prepared);

public static class PersistenceActivities
{
    [Activity]
    public static string Prepare(string order) => $"prepared:{order}";
}
