using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A fan-out of <see cref="Count"/> branches, branch <see cref="FailingBranch"/> failing.</summary>
public sealed record FanOutRequest(int Count, int FailingBranch, int WorkMs);

/// <summary>Each branch's result: its square, or the failure message it ended with.</summary>
public sealed record FanOutResult(IReadOnlyList<string> Branches);

/// <summary>Squares its branch number after <see cref="FanOutRequest.WorkMs"/> of work, counted in flight; the failing branch throws.</summary>
public sealed class SquareBranchActivity(DurableCallLog log) : TaskActivity<int[], int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, int[] input)
    {
        var (branch, failing, workMs) = (input[0], input[1], input[2]);
        using (log.Enter())
        {
            log.Record(context.InstanceId, nameof(SquareBranchActivity), branch.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Task.Delay(workMs).ConfigureAwait(false);
        }

        return branch == failing ? throw new InvalidOperationException($"branch {branch} failed") : branch * branch;
    }
}

/// <summary>Starts every branch before awaiting any (Task.WhenAll), then reads each branch's own outcome.</summary>
public sealed class FanOutOrchestrator : TaskOrchestrator<FanOutRequest, FanOutResult>
{
    public override async Task<FanOutResult> RunAsync(TaskOrchestrationContext context, FanOutRequest input)
    {
        var branches = Enumerable.Range(1, input.Count)
            .Select(i => context.CallActivityAsync<int>(nameof(SquareBranchActivity), new[] { i, input.FailingBranch, input.WorkMs }))
            .ToList();
        try
        {
            await Task.WhenAll(branches);
        }
        catch (TaskFailedException)
        {
            // One branch failing must not lose the others: each branch's outcome is read below.
        }

        return new FanOutResult(branches
            .Select(b => b.IsCompletedSuccessfully
                ? b.Result.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : $"failed:{(b.Exception?.InnerException as TaskFailedException)?.FailureDetails.ErrorMessage}")
            .ToList());
    }
}
