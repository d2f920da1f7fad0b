using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// Records every numbered signal in the order the workflow saw it and stays open until finished, so a fact can
/// compare that order with the order it sent, count the signals, and check delivery to a run whose worker was
/// away when the signal was sent.
/// </summary>
[Workflow]
public class SignalsArriveInOrderWorkflow
{
    private readonly List<int> seen = [];
    private bool finished;

    /// <summary>The signal numbers in arrival order; its length is the workflow's signal counter.</summary>
    [WorkflowQuery]
    public IReadOnlyList<int> Seen => seen;

    [WorkflowRun]
    public async Task<IReadOnlyList<int>> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finished);
        return seen;
    }

    /// <summary>What the workflow records for a Note signal that reached it without its number (sent numbers start at 1).</summary>
    public const int ArrivedWithoutNumber = 0;

    /// <summary>
    /// The default makes a signal delivered without its input reach the workflow as <see cref="ArrivedWithoutNumber"/>
    /// (the SDK drops a signal whose required arguments are missing), so a fact sees the lost payload directly
    /// instead of waiting for a signal that never counts.
    /// </summary>
    [WorkflowSignal]
    public Task NoteAsync(int number = ArrivedWithoutNumber)
    {
        seen.Add(number);
        return Task.CompletedTask;
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finished = true;
        return Task.CompletedTask;
    }
}
