using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>A bar a check compares a measurement with: DurableEval's own choice, printed as such, never Temporal's promise.</summary>
public sealed record Threshold(string CriterionId, string Name, double Value, string Unit, string Meaning)
{
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"threshold (DurableEval's, not Temporal's) {Name} = {Value:0.###} {Unit}: {Meaning}");
}

/// <summary>
/// Every threshold a criterion's checks use, as data stated once. Measurements are compared first with each other
/// in the same run (robust on a shared machine); these bars bound what "good enough" means where no such
/// comparison exists.
/// </summary>
public static class CriterionThresholds
{
    public static IReadOnlyList<Threshold> All { get; } =
    [
        new("PF-01", "step_p95_max", 200, "ms", "a regular activity step's p95 stays within Temporal Cloud's published p99 latency SLO"),
        new("PF-01", "local_speedup_min", 2, "x", "a local activity step's p50 is at least this many times lower than a regular one's (a margin above run-to-run noise)"),
        new("PF-01", "fit_r2_min", 0.9, "", "workflow duration is linear in step count (the fit explains at least this share of variance)"),
        new("PF-02", "activities_per_second_min", 50, "activities/s", "a 100-activity fan-out completes at least this fast on one worker"),
        new("PF-03", "codec_mb_per_second_min", 20, "MB/s", "the compressing codec encodes at least this fast, so it is not the bottleneck of a 2 MB payload"),
        new("DX-03", "start_median_max", 5000, "ms", "a local environment starts and answers its first workflow within this time"),
        new("DX-04", "skip_30_days_wall_max", 1000, "ms", "a 30-day timer completes within this wall time under time skipping"),
        new("DX-06", "caught_share_edge", 0.5, "share", "at least this share of the catalogued determinism pitfalls is caught by the SDK itself at run time (replay catches not counted)"),
        new("DX-06", "caught_share_production", 0.8, "share", "at least this share is caught by the SDK at run time, leaving little to learn by heart"),
        new("DX-07", "histories_per_second_min", 10, "histories/s", "the replayer checks at least this many histories per second after warm-up (a 100-history suite in 10 s, on a loaded 2-core machine)"),
    ];

    public static Threshold Get(string criterionId, string name) =>
        All.SingleOrDefault(t => t.CriterionId == criterionId && t.Name == name)
        ?? throw new KeyNotFoundException($"no threshold {name} for {criterionId} in {nameof(CriterionThresholds)}");

    public static IReadOnlyList<Threshold> For(string criterionId) => All.Where(t => t.CriterionId == criterionId).ToList();
}
