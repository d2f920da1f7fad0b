using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// Waits on an arbitrary condition over signalled state (a running total reaching a threshold), so a fact can
/// show that signals which leave the condition false do not resume the wait and the one that makes it true does.
/// </summary>
[Workflow]
public class ThresholdWaitWorkflow
{
    private int signals;

    [WorkflowQuery]
    public int Total { get; private set; }

    [WorkflowQuery]
    public bool Resumed { get; private set; }

    [WorkflowRun]
    public async Task<ThresholdOutcome> RunAsync(int threshold)
    {
        await Workflow.WaitConditionAsync(() => Total >= threshold);
        Resumed = true;
        return new(Total, signals);
    }

    [WorkflowSignal]
    public Task AddAsync(int amount)
    {
        Total += amount;
        signals++;
        return Task.CompletedTask;
    }
}

/// <summary>The total when the wait resumed and how many signals it took.</summary>
public sealed record ThresholdOutcome(int Total, int Signals);
