using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>A criterion whose stars changed since the baseline (null = not evaluated).</summary>
public sealed record StarChange(string Criterion, int? Before, int? After)
{
    /// <summary>Fewer stars than before. A criterion that was not evaluated this time is a change, not a regression: nothing was measured worse.</summary>
    public bool IsRegression => Before is { } b && After is { } a && a < b;

    public string Text => $"{Stars(Before)} \u2192 {Stars(After)}";

    private static string Stars(int? stars) => stars is { } s ? s.ToString(CultureInfo.InvariantCulture) + "\u2605" : "not evaluated";
}

/// <summary>A check that ran in both runs with a different outcome.</summary>
public sealed record CheckFlip(string Criterion, string Check, CheckOutcome Before, CheckOutcome After)
{
    public bool IsRegression => Before == CheckOutcome.Passed && After == CheckOutcome.Failed;
}

/// <summary>A metric measured in both runs that moved by more than the tolerance.</summary>
public sealed record MetricMove(string Criterion, string Metric, double Before, double After, string Unit);

/// <summary>
/// "Changes since baseline" (Restate's known-gaps idea): what an earlier results.json says against this run.
/// Pure: both sides are report models.
/// </summary>
public sealed record BaselineDiff(
    string Source,
    DateTimeOffset BaselineGeneratedAt,
    IReadOnlyList<StarChange> Stars,
    IReadOnlyList<CheckFlip> Checks,
    IReadOnlyList<MetricMove> Metrics)
{
    public const string Variable = "DURABLEEVAL_BASELINE";

    /// <summary>No spread is recorded per metric yet, so "moved" means by more than this share of the baseline value.</summary>
    public const double RelativeTolerance = 0.25;

    public const string MetricRule = "a metric counts as moved when it differs from the baseline by more than 25% of the baseline value (no per-metric spread is recorded yet)";

    public bool IsEmpty => Stars.Count == 0 && Checks.Count == 0 && Metrics.Count == 0;

    public IReadOnlyList<StarChange> Regressions => Stars.Where(s => s.IsRegression).ToList();

    /// <summary>
    /// The diff of <paramref name="current"/> against the same engine's report in <paramref name="baseline"/>; one
    /// engine is never compared with another.
    /// </summary>
    public static BaselineDiff Between(string source, RunReport baseline, EvaluationReport current) =>
        Between(source, baseline.Find(current.Engine) ?? throw new ResultsFileException(
            $"{source}: has no results for {current.Engine.Id} (it holds {baseline.EngineIds}); a baseline is compared engine by engine."), current);

    public static BaselineDiff Between(string source, EvaluationReport baseline, EvaluationReport current)
    {
        if (baseline.Engine.Id != current.Engine.Id)
        {
            throw new ArgumentException($"a baseline diff compares one engine across two runs, not {baseline.Engine.Id} with {current.Engine.Id}", nameof(baseline));
        }

        var before = baseline.Results.ToDictionary(r => r.Definition.Id, StringComparer.Ordinal);
        var stars = new List<StarChange>();
        var flips = new List<CheckFlip>();
        var moves = new List<MetricMove>();
        foreach (var now in current.Results)
        {
            if (!before.TryGetValue(now.Definition.Id, out var then))
            {
                continue;
            }

            if (then.Rating.Stars != now.Rating.Stars)
            {
                stars.Add(new StarChange(now.Definition.Id, then.Rating.Stars, now.Rating.Stars));
            }

            if (then.Evidence is null || now.Evidence is null)
            {
                continue;
            }

            var oldChecks = then.Evidence.Checks.GroupBy(c => c.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Outcome, StringComparer.Ordinal);
            flips.AddRange(now.Evidence.Checks
                .Where(c => c.Outcome != CheckOutcome.NotRun && oldChecks.TryGetValue(c.Id, out var o) && o != CheckOutcome.NotRun && o != c.Outcome)
                .Select(c => new CheckFlip(now.Definition.Id, c.Id, oldChecks[c.Id], c.Outcome)));

            var oldMetrics = then.Evidence.Metrics.GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            moves.AddRange(now.Evidence.Metrics
                .Where(m => oldMetrics.TryGetValue(m.Name, out var o) && Moved(o.Value, m.Value))
                .Select(m => new MetricMove(now.Definition.Id, m.Name, oldMetrics[m.Name].Value, m.Value, m.Unit)));
        }

        return new BaselineDiff(source, baseline.GeneratedAt, stars, flips, moves);
    }

    public static bool Moved(double before, double after) =>
        Math.Abs(after - before) > RelativeTolerance * Math.Abs(before) + 1e-9;
}
