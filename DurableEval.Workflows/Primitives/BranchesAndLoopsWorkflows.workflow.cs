using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// Plain C# control flow driving activities: an if on the input picks the shipping activity, and a while loop
/// polls a progress activity until it reports done. Returns which branch ran and how many polls it took.
/// </summary>
[Workflow]
public class BranchThenPollUntilDoneWorkflow
{
    private static readonly ActivityOptions Options = new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    [WorkflowRun]
    public async Task<LoopOutcome> RunAsync(LoopInput input)
    {
        string shipped;
        if (input.Express)
        {
            shipped = await Workflow.ExecuteActivityAsync((LoopActivities a) => a.ShipExpress(input.Order), Options);
        }
        else
        {
            shipped = await Workflow.ExecuteActivityAsync((LoopActivities a) => a.ShipStandard(input.Order), Options);
        }

        var polls = 0;
        var done = false;
        while (!done)
        {
            polls++;
            var poll = polls;
            done = await Workflow.ExecuteActivityAsync((LoopActivities a) => a.CheckDelivered(input.Order, poll, input.DoneAtPoll), Options);
        }

        return new(shipped, polls);
    }
}

public sealed record LoopInput(string Order, bool Express, int DoneAtPoll);

public sealed record LoopOutcome(string Shipped, int Polls);

/// <summary>Counts its calls per order so the fact can compare the loop's view with what actually ran.</summary>
public sealed class LoopActivities(InvocationCounter counter)
{
    [Activity]
    public string ShipExpress(string order)
    {
        counter.Increment($"{order}/{nameof(ShipExpress)}");
        return $"express:{order}";
    }

    [Activity]
    public string ShipStandard(string order)
    {
        counter.Increment($"{order}/{nameof(ShipStandard)}");
        return $"standard:{order}";
    }

    [Activity]
    public bool CheckDelivered(string order, int poll, int doneAtPoll)
    {
        counter.Increment($"{order}/{nameof(CheckDelivered)}");
        return poll >= doneAtPoll;
    }
}

/// <summary>
/// A long loop split into runs: each run adds one batch through an activity, then continues as new with the
/// running total and the run ids so far, until the last run returns them. State crosses runs only through the
/// continue-as-new input.
/// </summary>
[Workflow]
public class RunningTotalContinuesAsNewWorkflow
{
    /// <summary>The failure type a run reports when it started without the state its predecessor handed over.</summary>
    public const string InputMissing = "InputMissing";

    /// <summary>
    /// The default lets a run that a server started without its input begin at all (the SDK fails the workflow task
    /// forever when a required argument is missing); the run then fails at once, naming what it lacked, so a fact
    /// sees the lost hand-over directly rather than a stalled run.
    /// </summary>
    [WorkflowRun]
    public async Task<RunningTotal> RunAsync(RunningTotal? state = null)
    {
        if (state is null)
        {
            throw new ApplicationFailureException($"run {Workflow.Info.RunId} started without its running total", InputMissing, nonRetryable: true);
        }

        var run = state.RunIds.Count + 1;
        var added = await Workflow.ExecuteActivityAsync(
            () => BatchActivities.AddBatch(run), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
        var next = state with { Total = state.Total + added, RunIds = [.. state.RunIds, Workflow.Info.RunId] };
        if (run < state.Runs)
        {
            // The task queue is named explicitly: continue-as-new must land where this worker polls.
            throw Workflow.CreateContinueAsNewException(
                (RunningTotalContinuesAsNewWorkflow w) => w.RunAsync(next), new() { TaskQueue = Workflow.Info.TaskQueue });
        }

        return next;
    }
}

/// <param name="Runs">How many runs the loop is split into.</param>
/// <param name="Total">The running total carried from run to run.</param>
/// <param name="RunIds">The run ids that have contributed so far, oldest first.</param>
public sealed record RunningTotal(int Runs, int Total, IReadOnlyList<string> RunIds);

public static class BatchActivities
{
    /// <summary>Run n contributes 10 × n, so the final total says which runs contributed.</summary>
    [Activity]
    public static int AddBatch(int run) => 10 * run;
}
