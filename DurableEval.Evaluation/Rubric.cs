namespace DurableEval.Evaluation;

/// <summary>
/// The star rubric: one pure function from recorded checks and the catalog's support level to a rating.
/// The rule texts below are printed in the report, so what the reader sees is what is computed.
/// </summary>
public static class Rubric
{
    public const string NotEvaluatedLabel = "Not evaluated";

    public const string NotApplicableLabel = "Not applicable";

    /// <summary>The stars cell of a criterion outside the engine's scope: visibly not "—" (not evaluated).</summary>
    public const string NotApplicableStars = "n/a";

    public const string NotApplicableRule =
        "the criterion is outside the engine's scope (the catalog's per-engine table says why): no stars, out of every average and of the verdict; unlike \"not evaluated\", nothing is missing";

    /// <summary>The bar every fact asserts and every fail-close criterion must reach.</summary>
    public const int Bar = 3;

    /// <summary>Ratings at or above this count as "good" in the report's summaries: PoC Ready and up, as in the source evaluation.</summary>
    public const int Good = 3;

    /// <summary>Overall is capped here when an applicable fail-close criterion is below the bar.</summary>
    public const int FailCloseCap = 2;

    public static IReadOnlyList<(int Stars, string Label, string Rule)> Rows { get; } =
    [
        (1, "Not Supported", "core checks failed and none passed, whatever else did not run"),
        (2, "Experimental", "some core checks failed, whatever else did not run"),
        (3, "PoC Ready", "all core checks passed, but an edge check failed or did not run, or support is custom"),
        (4, "Production Ready", "all core and edge checks passed, but a production check failed or did not run, or no check above core was recorded, or support is pattern"),
        (5, "Production Recommended", "every check passed, including at least one above core (edge or production), and support is native"),
    ];

    /// <summary>
    /// Why core checks alone cannot earn five stars: core checks show the feature works; five stars claim more, so
    /// they need evidence for the next level the catalog describes (an edge or production check that ran and passed).
    /// </summary>
    public const string AboveCoreRule =
        "Five stars need evidence above core: a criterion whose recorded checks are all core rates at most 4 stars, however many of them passed.";

    public const string NotEvaluatedRule =
        "a core check could not run (no server, filtered out, no fact yet) and none failed: shown with its reason, no stars";

    public static string LabelFor(int stars) => Rows.First(r => r.Stars == stars).Label;

    public static string StarsText(int? stars) => stars is { } s ? new string('\u2B50', s) : "\u2014";

    public static Rating Rate(SupportLevel support, IReadOnlyList<CheckResult> checks)
    {
        var core = checks.Where(c => c.Kind == CheckKind.Core).ToList();
        if (core.Count == 0)
        {
            return Rating.NotEvaluated("no core check was recorded");
        }

        // A measured failure is evidence whatever else could not run: it rates the criterion (and so can cap the
        // overall rating through fail-close) instead of hiding behind "not evaluated". The checks that did not
        // run are still named, so the reader knows the rating rests on part of the core.
        var coreNotRun = core.Where(c => c.Outcome == CheckOutcome.NotRun).ToList();
        var coreFailed = core.Where(c => c.Outcome == CheckOutcome.Failed).ToList();
        var notRunSuffix = coreNotRun.Count > 0 ? $"; not run: {Ids(coreNotRun)}" : string.Empty;
        if (coreFailed.Count > 0 && coreFailed.Count + coreNotRun.Count == core.Count)
        {
            return Make(1, $"no core check passed ({Ids(coreFailed)} failed{notRunSuffix})");
        }

        if (coreFailed.Count > 0)
        {
            return Make(2, $"core checks failed: {Ids(coreFailed)}{notRunSuffix}");
        }

        if (coreNotRun.Count > 0)
        {
            var first = coreNotRun[0];
            var others = coreNotRun.Count > 1 ? $" (also not run: {Ids(coreNotRun.Skip(1))})" : string.Empty;
            return Rating.NotEvaluated($"core check {first.Id} not run: {first.Detail}{others}");
        }

        var edgeShort = Short(checks, CheckKind.Edge);
        if (edgeShort.Count > 0)
        {
            return Make(3, $"edge checks {Describe(edgeShort)}");
        }

        if (support == SupportLevel.Custom)
        {
            return Make(3, "every core and edge check passed; support is custom (substantial user code)");
        }

        var productionShort = Short(checks, CheckKind.Production);
        if (productionShort.Count > 0)
        {
            return Make(4, $"production checks {Describe(productionShort)}");
        }

        if (support == SupportLevel.Pattern)
        {
            return Make(4, "every check passed; support is pattern (a documented user-code pattern)");
        }

        if (!checks.Any(c => c.Kind != CheckKind.Core))
        {
            return Make(4, "every core check passed, but no check above core was recorded (five stars need edge or production evidence)");
        }

        return Make(5, "every check passed and support is native");
    }

    private static Rating Make(int stars, string reason) => new(stars, LabelFor(stars), reason);

    private static List<CheckResult> Short(IReadOnlyList<CheckResult> checks, CheckKind kind) =>
        checks.Where(c => c.Kind == kind && c.Outcome != CheckOutcome.Passed).ToList();

    private static string Ids(IEnumerable<CheckResult> checks) => string.Join(", ", checks.Select(c => c.Id));

    private static string Describe(IReadOnlyList<CheckResult> shortChecks)
    {
        var failed = shortChecks.Where(c => c.Outcome == CheckOutcome.Failed).ToList();
        var notRun = shortChecks.Where(c => c.Outcome == CheckOutcome.NotRun).ToList();
        var parts = new List<string>();
        if (failed.Count > 0)
        {
            parts.Add($"failed: {Ids(failed)}");
        }

        if (notRun.Count > 0)
        {
            parts.Add($"not run: {Ids(notRun)}");
        }

        return string.Join("; ", parts);
    }
}
