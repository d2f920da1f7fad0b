namespace DurableEval.Evaluation;

/// <summary>
/// What the evaluation run itself cost: wall time from the first test to the report, the time spent starting
/// servers and waiting for them, and how the facts were spread over parallel lanes. Measured by the runner and
/// passed in, so renderers stay pure and snapshots stay fixed.
/// </summary>
public sealed record RunCost(TimeSpan? WallTime, int ServerStarts, TimeSpan ServerStartTotal)
{
    public static RunCost Unknown { get; } = new(null, 0, TimeSpan.Zero);

    /// <summary>How many lanes ran criterion facts at once (1: one after another).</summary>
    public int LaneCount { get; init; } = 1;

    /// <summary>Time blocks spent waiting for their fresh server (the whole start when none was started ahead).</summary>
    public TimeSpan ServerWaitTotal { get; init; }

    /// <summary>Blocks whose server the pool had started ahead of need.</summary>
    public int PreStartedTaken { get; init; }

    /// <summary>Servers the pool started ahead that no block took (stopped at the end).</summary>
    public int PreStartedUnused { get; init; }

    /// <summary>Each lane's facts in the order it ran them, with when it started and finished on the run's clock.</summary>
    public IReadOnlyList<LaneRun> Lanes { get; init; } = [];

    /// <summary>
    /// The lanes the run's end waited for: the parallel lane that finished last, then the facts that run alone
    /// (which start only when every parallel lane is done), when there are any.
    /// </summary>
    public IReadOnlyList<LaneRun> CriticalPath()
    {
        var alone = Lanes.Where(l => l.Lane == LaneRun.AloneLane).ToList();
        var parallel = Lanes.Where(l => l.Lane != LaneRun.AloneLane).OrderBy(l => l.End).ThenBy(l => l.Lane, StringComparer.Ordinal).ToList();
        return parallel.Count == 0 ? alone : [parallel[^1], .. alone];
    }

    /// <summary>Sum of fact times over wall time: how many facts ran at once on average; null without a wall time.</summary>
    public static double? SpeedUp(TimeSpan factTime, TimeSpan? wallTime) =>
        wallTime is { } wall && wall > TimeSpan.Zero ? factTime / wall : null;
}

/// <summary>One lane of the run: its name, when it started and finished on the run's clock, and its facts in order.</summary>
public sealed record LaneRun(string Lane, TimeSpan Start, TimeSpan End, IReadOnlyList<string> Criteria)
{
    public const string AloneLane = "alone";
}
