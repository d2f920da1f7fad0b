using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Versioning;

/// <summary>The state a long-running meter carries from run to run: readings taken, their total, which code took each.</summary>
public sealed record MeterState(int Iterations, int Iteration, int Total, IReadOnlyList<string> CodeVersions);

/// <summary>
/// v1 of a long-running meter: each run takes one reading, then waits to be told to continue — optionally onto
/// another task queue — and continues as new with its state. Continue-as-new is where a long run can change code:
/// the next run starts a fresh history, so code that could not replay the old history can still run it.
/// </summary>
[Workflow(TypeName)]
public class MeterReadingV1
{
    public const string TypeName = "MeterReading";

    private bool advance;
    private string? moveTo;

    [WorkflowQuery]
    public MeterState? Current { get; private set; }

    [WorkflowRun]
    public async Task<MeterState> RunAsync(MeterState state)
    {
        var reading = await Workflow.ExecuteActivityAsync(() => MeterActivities.Read(state.Iteration + 1), Options);
        Current = state with { Iteration = state.Iteration + 1, Total = state.Total + reading, CodeVersions = [.. state.CodeVersions, "v1"] };
        return await ContinueOrFinishAsync(Current, () => advance, () => moveTo);
    }

    [WorkflowSignal]
    public Task AdvanceAsync(string? taskQueue)
    {
        moveTo = taskQueue;
        advance = true;
        return Task.CompletedTask;
    }

    internal static ActivityOptions Options => new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    internal static async Task<MeterState> ContinueOrFinishAsync(MeterState next, Func<bool> advance, Func<string?> moveTo)
    {
        if (next.Iteration >= next.Iterations)
        {
            return next;
        }

        await Workflow.WaitConditionAsync(advance);
        throw Workflow.CreateContinueAsNewException((MeterReadingV1 w) => w.RunAsync(next), new() { TaskQueue = moveTo() });
    }
}

/// <summary>
/// v2, deployed on a new task queue: it reads through a renamed, calibrated activity, so it could not replay a
/// v1 history, and a long run reaches it only through continue-as-new.
/// </summary>
[Workflow(MeterReadingV1.TypeName)]
public class MeterReadingV2
{
    private bool advance;
    private string? moveTo;

    [WorkflowQuery]
    public MeterState? Current { get; private set; }

    [WorkflowRun]
    public async Task<MeterState> RunAsync(MeterState state)
    {
        var reading = await Workflow.ExecuteActivityAsync(() => MeterActivities.ReadCalibrated(state.Iteration + 1), MeterReadingV1.Options);
        Current = state with { Iteration = state.Iteration + 1, Total = state.Total + reading, CodeVersions = [.. state.CodeVersions, "v2"] };
        return await MeterReadingV1.ContinueOrFinishAsync(Current, () => advance, () => moveTo);
    }

    [WorkflowSignal]
    public Task AdvanceAsync(string? taskQueue)
    {
        moveTo = taskQueue;
        advance = true;
        return Task.CompletedTask;
    }
}

public static class MeterActivities
{
    /// <summary>The reading for iteration i is i, whichever code takes it, so the expected total is known up front.</summary>
    [Activity]
    public static int Read(int iteration) => iteration;

    [Activity]
    public static int ReadCalibrated(int iteration) => iteration;
}
