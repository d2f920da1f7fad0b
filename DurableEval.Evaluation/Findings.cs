using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>One key finding: one idea in one line, with an optional short list under it (e.g. not-run checks by reason).</summary>
public sealed record KeyFinding(string Text, IReadOnlyList<string> Items)
{
    public KeyFinding(string text)
        : this(text, [])
    {
    }
}

/// <summary>Key findings and the conclusion, derived from the report model so they can never contradict it.</summary>
public static class Findings
{
    /// <summary>Longest reason text shown in the grouped not-run list; the full text is under "Not-run reasons" and in each criterion's details.</summary>
    internal const int ReasonWidth = 110;

    /// <summary>Most criterion ids listed in one grouped line.</summary>
    internal const int ListWidth = 10;

    public static IReadOnlyList<KeyFinding> Derive(EvaluationReport report)
    {
        var lines = new List<KeyFinding>();
        var evaluated = report.Results.Where(r => r.Rating.IsEvaluated).ToList();
        var leftOut = report.Total - evaluated.Count - report.NotApplicable;
        lines.Add(new($"{N(evaluated.Count)} of {N(report.Total)} criteria were evaluated" +
                      (leftOut > 0 ? $"; the other {N(leftOut)} are left out of every average." : ".")));
        if (report.NotApplicable > 0)
        {
            lines.Add(new($"{N(report.NotApplicable)} {(report.NotApplicable == 1 ? "criterion does" : "criteria do")} not apply to {report.Engine.Name} (its scope says why): not applicable, which is not \"not evaluated\": no stars, out of every average and of the verdict."));
        }
        if (evaluated.Count > 0)
        {
            var byStars = Rubric.Rows.Reverse()
                .Select(row => (row, count: evaluated.Count(r => r.Rating.Stars == row.Stars)))
                .Where(x => x.count > 0)
                .Select(x => $"{N(x.count)} {x.row.Label}");
            lines.Add(new($"Ratings of the evaluated criteria: {string.Join(", ", byStars)}."));
        }

        var overall = report.Overall;
        if (overall.FailCloseBelowBar.Count > 0)
        {
            lines.Add(new($"Fail-close criteria below the bar cap the overall rating at {N(Rubric.FailCloseCap)} stars: {string.Join(", ", overall.FailCloseBelowBar)}."));
        }

        if (overall.FailCloseNotEvaluated.Count > 0)
        {
            lines.Add(new($"The verdict is incomplete, so the overall is only provisional, until these fail-close criteria run: {string.Join(", ", overall.FailCloseNotEvaluated)}."));
        }
        else if (overall.FailCloseBelowBar.Count == 0 && report.Results.Any(r => r.FailCloseApplies))
        {
            lines.Add(new("Every applicable fail-close criterion meets the bar."));
        }

        var rated = report.Categories.Where(c => c.Average is not null).OrderBy(c => c.Average).ThenBy(c => c.Category.Code, StringComparer.Ordinal).ToList();
        if (rated.Count >= 2)
        {
            lines.Add(new($"Weakest category: {CategoryText(rated[0])}."));
            lines.Add(new($"Strongest category: {CategoryText(rated[^1])}."));
        }

        var checks = report.Results.Where(r => r.Evidence is not null).SelectMany(r => r.Evidence!.Checks.Select(c => (r.Definition.Id, Check: c))).ToList();
        var failed = checks.Where(c => c.Check.Outcome == CheckOutcome.Failed).ToList();
        if (failed.Count > 0)
        {
            lines.Add(new($"{Count(failed.Count, "check")} failed: {string.Join(", ", failed.Select(f => $"{f.Id}/{f.Check.Id}"))}."));
        }

        var notRun = checks.Where(c => c.Check.Outcome == CheckOutcome.NotRun).ToList();
        var ran = checks.Count - notRun.Count;
        if (ran > 0)
        {
            lines.Add(new($"{Count(ran, "check")} ran: {N(ran - failed.Count)} passed, {N(failed.Count)} failed."));
        }

        var metrics = report.Results.Sum(r => r.Evidence?.Metrics.Count ?? 0);
        if (metrics > 0)
        {
            lines.Add(new($"{Count(metrics, "metric")} measured."));
        }

        if (notRun.Count > 0)
        {
            lines.Add(new($"{Count(notRun.Count, "check")} did not run, by reason:", NotRunByReason(notRun, report.SharedReasons)));
        }

        var noFact = report.Results.Count(r => r.Fact.State == FactState.NoFact);
        if (noFact > 0)
        {
            lines.Add(new($"{N(noFact)} {(noFact == 1 ? "criterion has" : "criteria have")} no fact yet."));
        }

        var notSelected = report.Results.Count(r => r.Fact.State == FactState.NotSelected);
        if (notSelected > 0)
        {
            lines.Add(new($"{N(notSelected)} {(notSelected == 1 ? "criterion with a fact was" : "criteria with facts were")} not selected by this run's filter."));
        }

        return lines;
    }

    /// <summary>
    /// Not-run checks grouped by reason, most frequent first: "[N1] reason (clipped) — 12 checks: EX-01, EX-02".
    /// </summary>
    public static IReadOnlyList<string> NotRunByReason(IReadOnlyList<(string Criterion, CheckResult Check)> notRun, IReadOnlyList<SharedReason> shared) =>
        notRun.GroupBy(c => c.Check.Detail, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                // A shared reason is stated in full once, under "Not-run reasons"; here its key and its first clause.
                var key = shared.FirstOrDefault(s => s.Text == g.Key);
                var reason = key is null ? Clip(g.Key) : $"[{key.Key}] {Head(g.Key)}";
                return $"{reason} \u2014 {Count(g.Count(), "check")} in {CriteriaList(g.Select(c => c.Criterion).Distinct(StringComparer.Ordinal).ToList())}";
            })
            .ToList();

    /// <summary>
    /// The conclusion as paragraphs: the verdict (provisional while incomplete), then strengths, considerations and
    /// the fail-close outcome, each computed from the ratings, the catalog's support levels and the fail-close table.
    /// </summary>
    public static IReadOnlyList<string> Conclusion(EvaluationReport report)
    {
        var overall = report.Overall;
        if (overall.Stars is null)
        {
            return
            [
                $"No criterion was evaluated, so this run supports no conclusion about {report.Engine.Name}. " +
                "The reasons are in the \"All criteria\" table and under \"Not-run reasons\"; most often no server could be had (see README, \"Servers\").",
                FailCloseOutcome(report),
            ];
        }

        var evaluatedCount = report.Evaluated;
        var workload = $"for a workload whose workflows run for {report.Profile.Fields[0].Value}";
        var verdict = overall.Provisional
            ? $"**Verdict:** not rated. On the evidence of the {N(evaluatedCount)} criteria evaluated, {report.Engine.Name} used from .NET would rate {Rubric.StarsText(overall.Stars)} {overall.Label} {workload}, " +
              $"but that is provisional: the fail-close criteria {string.Join(", ", overall.FailCloseNotEvaluated)} were not evaluated."
            : $"**Verdict:** on the evidence of the {N(evaluatedCount)} criteria evaluated, {report.Engine.Name} used from .NET rates {Rubric.StarsText(overall.Stars)} {overall.Label} {workload}.";
        if (overall.LeftOut.Count > 0)
        {
            verdict += $" {Count(overall.LeftOut.Count, "criterion", "criteria")} not evaluated {(overall.LeftOut.Count == 1 ? "is" : "are")} left out of the averages.";
        }

        if (report.NotApplicable > 0)
        {
            verdict += $" {Count(report.NotApplicable, "criterion does", "criteria do")} not apply to {report.Engine.Name} and {(report.NotApplicable == 1 ? "is" : "are")} outside the verdict.";
        }

        return [verdict, Strengths(report), Considerations(report), FailCloseOutcome(report)];
    }

    private static string Strengths(EvaluationReport report)
    {
        var parts = new List<string>();
        foreach (var stars in new[] { 5, 4 })
        {
            var ids = report.Results.Where(r => r.Rating.Stars == stars).Select(r => r.Definition.Id).ToList();
            if (ids.Count > 0)
            {
                parts.Add($"{Count(ids.Count, "criterion", "criteria")} {Rubric.LabelFor(stars)} ({string.Join(", ", ids)})");
            }
        }

        var strongest = report.Categories.Where(c => c.Average >= 4).OrderByDescending(c => c.Average).ThenBy(c => c.Category.Code, StringComparer.Ordinal).ToList();
        if (strongest.Count > 0)
        {
            parts.Add($"categories averaging {Rubric.StarsText(4)} or more: {string.Join(", ", strongest.Select(CategoryText))}");
        }

        return "**Strengths:** " + (parts.Count == 0
            ? $"none measured: no criterion rated {Rubric.LabelFor(4)} or better."
            : string.Join("; ", parts) + ".");
    }

    // One line per kind of consideration, each from the evidence: what failed at core, which next-level checks failed
    // or could not run, where user code carries the feature, and what was not evaluated.
    private static string Considerations(EvaluationReport report)
    {
        var parts = new List<string>();
        var below = report.Results.Where(r => r.Rating.Stars < Rubric.Good).ToList();
        if (below.Count > 0)
        {
            parts.Add($"below {Rubric.LabelFor(Rubric.Good)}: {string.Join("; ", below.Select(r => $"{r.Definition.Id} ({r.Rating.Reason})"))}");
        }

        var evaluated = report.Results.Where(r => r.Rating.IsEvaluated && r.Evidence is not null).ToList();
        string AboveCore(CheckOutcome outcome) => string.Join(", ", evaluated
            .SelectMany(r => r.Evidence!.Checks.Where(c => c.Kind != CheckKind.Core && c.Outcome == outcome).Select(c => $"{r.Definition.Id}/{c.Id}")));
        var failedAboveCore = AboveCore(CheckOutcome.Failed);
        if (failedAboveCore.Length > 0)
        {
            parts.Add($"edge or production checks that failed: {failedAboveCore}");
        }

        var heldByNotRun = evaluated
            .Where(r => r.Evidence!.Checks.Any(c => c.Kind != CheckKind.Core && c.Outcome == CheckOutcome.NotRun))
            .Select(r => r.Definition.Id).ToList();
        if (heldByNotRun.Count > 0)
        {
            parts.Add($"next-level checks that could not run here, so these ratings are a floor: {string.Join(", ", heldByNotRun)}");
        }

        parts.AddRange(report.Results.Where(r => r.Rating.IsEvaluated && r.Support != SupportLevel.Native)
            .GroupBy(r => r.Support).OrderBy(g => g.Key)
            .Select(g => $"{g.Key.ToString().ToLowerInvariant()} support, so user code carries the feature: {string.Join(", ", g.Select(r => r.Definition.Id))}"));

        var notEvaluated = report.Results.Count(r => !r.Rating.IsEvaluated && r.Rating.IsApplicable);
        if (notEvaluated > 0)
        {
            var top = report.SharedReasons.FirstOrDefault();
            parts.Add($"{Count(notEvaluated, "criterion", "criteria")} not evaluated, so this run says nothing about {(notEvaluated == 1 ? "it" : "them")}" +
                      (top is null ? string.Empty : $" (most common reason a check did not run: [{top.Key}] {Head(top.Text)})"));
        }

        return "**Considerations:**" + (parts.Count == 0 ? " none: every criterion was evaluated at its best rating." : string.Concat(parts.Select(p => "\n- " + p)));
    }

    private static string FailCloseOutcome(EvaluationReport report)
    {
        var applies = report.Results.Where(r => r.FailCloseApplies).ToList();
        if (!report.Engine.IsSubject)
        {
            return $"**Fail-close outcome:** not gated: {report.Engine.Name} is measured for comparison, so no fail-close rule caps or withholds its overall.";
        }

        if (applies.Count == 0)
        {
            return "**Fail-close outcome:** no fail-close criterion applies to this profile.";
        }

        var overall = report.Overall;
        var meets = applies.Where(r => r.Rating.Stars >= Rubric.Bar).Select(r => r.Definition.Id).ToList();
        var parts = new List<string>();
        if (meets.Count > 0)
        {
            parts.Add($"{N(meets.Count)} meet the bar ({string.Join(", ", meets)})");
        }

        if (overall.FailCloseBelowBar.Count > 0)
        {
            parts.Add($"{N(overall.FailCloseBelowBar.Count)} below it ({string.Join(", ", overall.FailCloseBelowBar)}), capping the overall at {N(Rubric.FailCloseCap)} stars");
        }

        if (overall.FailCloseNotEvaluated.Count > 0)
        {
            parts.Add($"{N(overall.FailCloseNotEvaluated.Count)} not evaluated ({string.Join(", ", overall.FailCloseNotEvaluated)}), leaving the verdict incomplete");
        }

        var effect = overall.FailCloseBelowBar.Count == 0 && overall.FailCloseNotEvaluated.Count == 0 ? "; nothing caps or withholds the overall" : string.Empty;
        return $"**Fail-close outcome:** of {Count(applies.Count, "applicable fail-close criterion", "applicable fail-close criteria")}, {string.Join("; ", parts)}{effect}.";
    }

    private static string CategoryText(CategorySummary c) =>
        $"{c.Category.Code} {c.Category.Name} (average {EvaluationReport.Number(c.Average!.Value)})";

    /// <summary>
    /// A short list of criteria: every id up to <see cref="ListWidth"/>; else "all except ..." when fewer are left out;
    /// else the first ids and how many more.
    /// </summary>
    internal static string CriteriaList(IReadOnlyList<string> ids)
    {
        if (ids.Count <= ListWidth)
        {
            return $"{Count(ids.Count, "criterion", "criteria")}: {string.Join(", ", ids)}";
        }

        var others = Catalog.All.Select(c => c.Id).Where(id => !ids.Contains(id, StringComparer.Ordinal)).ToList();
        return others.Count == 0 ? $"all {N(ids.Count)} criteria"
            : others.Count <= ListWidth
            ? $"{N(ids.Count)} criteria: all except {string.Join(", ", others)}"
            : $"{N(ids.Count)} criteria: {string.Join(", ", ids.Take(ListWidth))} and {N(ids.Count - ListWidth)} more";
    }

    // The first clause of a reason ("dev server unavailable"), for places that point at where it is stated in full.
    private static string Head(string text)
    {
        var end = text.IndexOfAny([';', ':', '(']);
        var head = (end > 0 ? text[..end] : text).TrimEnd();
        return head.Length < text.Length ? head + " ..." : Clip(head);
    }

    private static string Clip(string text) => text.Length <= ReasonWidth ? text : text[..(ReasonWidth - 3)].TrimEnd() + "...";

    private static string Count(int n, string singular, string? plural = null) => $"{N(n)} {(n == 1 ? singular : plural ?? singular + "s")}";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
