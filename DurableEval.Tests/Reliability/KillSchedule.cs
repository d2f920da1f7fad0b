namespace DurableEval.Tests.Reliability;

/// <summary>The seeded kill plan: the same seed and sizes always give the same plan, so a run can be repeated.</summary>
public static class KillSchedule
{
    // Kills fall between 10 % and 60 % of the run's steps, one in each equal slice, so every kill has a worker
    // that has made progress before it and enough steps left after it for the next worker to show recovery.
    // Workflows step nearly in lockstep, so completions arrive in waves of one step per workflow and a threshold is
    // first seen crossed after a wave: with 5 steps, a threshold past 60 % can be crossed by the wave that leaves only
    // the last one, and a kill that then misses that last wave never lands (at 80 %, EX-01 lost its third kill in
    // 1 of 4 live runs and CP-02 its only one, both "not evaluated"). At 60 % two waves remain after any threshold.
    private const double First = 0.10;
    private const double Last = 0.60;

    public static IReadOnlyList<PlannedKill> Plan(int seed, int kills, int totalSteps, int maxDelayMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kills);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDelayMilliseconds);
        var random = new Random(seed);
        var slice = (Last - First) / Math.Max(kills, 1);
        var plan = new List<PlannedKill>();
        var previous = 0;
        for (var k = 0; k < kills; k++)
        {
            var fraction = First + (slice * k) + (slice * 0.8 * random.NextDouble());
            var threshold = Math.Max(previous + 1, (int)Math.Ceiling(fraction * totalSteps));
            plan.Add(new PlannedKill(threshold, random.Next(0, maxDelayMilliseconds + 1)));
            previous = threshold;
        }

        return plan;
    }
}
