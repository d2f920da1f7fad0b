namespace DurableEval.Tests.Reliability;

/// <summary>The seeded kill plan: the same seed and sizes always give the same plan, so a run can be repeated.</summary>
public static class KillSchedule
{
    // Kills fall between 10 % and 80 % of the run's steps, one in each equal slice, so every kill has a worker
    // that has made progress before it and enough steps left after it for the next worker to show recovery.
    private const double First = 0.10;
    private const double Last = 0.80;

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
