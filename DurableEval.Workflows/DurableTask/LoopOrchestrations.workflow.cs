using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A loop's carried state: the batches still to add, the running total, and how many runs handed it over.</summary>
public sealed record LoopState(IReadOnlyList<int> Remaining, int Total, int Generation);

/// <summary>Adds a number (recorded in the log under the branch that ran).</summary>
public sealed class AddBatchActivity(DurableCallLog log) : TaskActivity<int[], int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int[] input)
    {
        log.Record(context.InstanceId, input[1] > 0 ? "even" : "odd", input[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.FromResult(input[0]);
    }
}

/// <summary>
/// An ordinary if and loop drive the activity: each run adds two batches (branching on each batch's parity), then
/// hands the rest over with ContinueAsNew carrying the running total, until nothing remains.
/// </summary>
public sealed class BatchedTotalOrchestrator : TaskOrchestrator<LoopState, LoopState>
{
    public override async Task<LoopState> RunAsync(TaskOrchestrationContext context, LoopState input)
    {
        var total = input.Total;
        foreach (var batch in input.Remaining.Take(2))
        {
            total += await context.CallActivityAsync<int>(nameof(AddBatchActivity), new[] { batch, batch % 2 == 0 ? 1 : 0 });
        }

        var next = new LoopState(input.Remaining.Skip(2).ToList(), total, input.Generation + 1);
        if (next.Remaining.Count == 0)
        {
            return next;
        }

        context.ContinueAsNew(next);
        return next;
    }
}
