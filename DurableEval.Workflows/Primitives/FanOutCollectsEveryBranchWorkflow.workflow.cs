using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;
using WorkflowSemaphore = Temporalio.Workflows.Semaphore;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// Starts one activity per item together and waits for all of them. Each branch captures its own failure, so
/// one failing branch cannot take the others' results with it; an optional workflow semaphore bounds how many
/// branches run at once.
/// </summary>
[Workflow]
public class FanOutCollectsEveryBranchWorkflow
{
    private static readonly ActivityOptions Options = new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    [WorkflowRun]
    public async Task<IReadOnlyList<BranchOutcome>> RunAsync(FanOutInput input)
    {
        var bound = input.Bound is { } limit ? new WorkflowSemaphore(limit) : null;
        var branches = Enumerable.Range(1, input.Items).Select(item => RunBranchAsync(item, item == input.FailingItem, bound)).ToList();
        return await Workflow.WhenAllAsync(branches);
    }

    private static async Task<BranchOutcome> RunBranchAsync(int item, bool fail, WorkflowSemaphore? bound)
    {
        if (bound is not null)
        {
            await bound.WaitAsync();
        }

        try
        {
            var value = await Workflow.ExecuteActivityAsync((FanOutActivities a) => a.SquareAsync(item, fail), Options);
            return new(item, value, null);
        }
        catch (ActivityFailureException e)
        {
            var cause = e.InnerException as ApplicationFailureException;
            return new(item, null, $"{cause?.ErrorType ?? e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
        }
        finally
        {
            bound?.Release();
        }
    }
}

/// <param name="Items">How many branches to start.</param>
/// <param name="FailingItem">The item whose activity fails non-retryably, or 0 for none.</param>
/// <param name="Bound">At most this many branches in flight (a workflow semaphore), or null for no bound.</param>
public sealed record FanOutInput(int Items, int FailingItem = 0, int? Bound = null);

/// <summary>One branch's outcome: its value, or the failure it captured.</summary>
public sealed record BranchOutcome(int Item, int? Value, string? Failure);

/// <summary>Squares its item after holding in the probe, so the fact can see how many ran at once.</summary>
public sealed class FanOutActivities(ConcurrencyProbe probe, TimeSpan hold)
{
    public const string FailureType = "BranchFailed";

    /// <summary>The activity type name; the SDK would otherwise drop the Async suffix.</summary>
    public const string SquareName = "Square";

    [Activity(SquareName)]
    public async Task<int> SquareAsync(int item, bool fail)
    {
        if (fail)
        {
            throw new ApplicationFailureException($"branch {item} failed", FailureType, nonRetryable: true);
        }

        await probe.HoldAsync(hold, ActivityExecutionContext.Current.CancellationToken);
        return item * item;
    }
}
