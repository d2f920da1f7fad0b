using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// An order that stays open until finished, counting the signals and updates it receives, so a fact can see
/// whether a duplicate start, a signal-with-start or a repeated update id reached this run or a new one.
/// </summary>
[Workflow]
public class DeduplicatedOrderWorkflow
{
    private bool finished;

    [WorkflowQuery]
    public int Items { get; private set; }

    [WorkflowQuery]
    public int Reservations { get; private set; }

    [WorkflowRun]
    public async Task<int> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finished);
        return Items;
    }

    [WorkflowSignal]
    public Task AddItemAsync()
    {
        Items++;
        return Task.CompletedTask;
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finished = true;
        return Task.CompletedTask;
    }

    [WorkflowUpdate]
    public Task<int> ReserveAsync()
    {
        Reservations++;
        return Task.FromResult(Reservations);
    }
}
