namespace DurableEval.Evaluation;

/// <summary>
/// What the evaluation run itself cost: wall time from the first test to the report, and the time spent starting
/// servers. Measured by the runner and passed in, so renderers stay pure and snapshots stay fixed.
/// </summary>
public sealed record RunCost(TimeSpan? WallTime, int ServerStarts, TimeSpan ServerStartTotal)
{
    public static RunCost Unknown { get; } = new(null, 0, TimeSpan.Zero);
}
