namespace DurableEval.Evaluation;

/// <summary>The one or two lines a plain dotnet test ends with: verdict, how much was evaluated, why the rest was not, where the report is.</summary>
public static class ConsoleSummary
{
    public static IReadOnlyList<string> Lines(EvaluationReport report, string reportPath) => Lines(RunReport.Single(report), reportPath);

    /// <summary>
    /// One verdict line per engine that ran, subject first ("DurableEval: Temporal: ⭐⭐⭐ PoC Ready; evaluated ..."),
    /// then one line with the subject's most common not-run reason, what was not evaluated and the report's path.
    /// </summary>
    public static IReadOnlyList<string> Lines(RunReport run, string reportPath)
    {
        var report = run.Subject;
        var first = $"DurableEval: {Headline(report)}; evaluated {MarkdownReport.RunLine(report)}";
        if (report.Policy.Violations.Count > 0)
        {
            first += $"; {report.Policy.Summary}";
        }

        if (report.Baseline is { } baseline)
        {
            first += $"; since baseline: {MarkdownReport.BaselineLine(baseline)}";
        }

        var reason = report.SharedReasons.FirstOrDefault();
        var parts = new List<string>();
        if (reason is not null)
        {
            parts.Add($"most common reason a check did not run ({reason.Checks} checks in {reason.Criteria.Count} {(reason.Criteria.Count == 1 ? "criterion" : "criteria")}): {reason.Text}");
        }

        // Criteria not evaluated, by why: "37 no fact yet; 14 not run: not selected by this run's filter".
        var notEvaluated = report.Results.Where(r => !r.Rating.IsEvaluated && r.Rating.IsApplicable)
            .GroupBy(r => Cause(r.Rating.Reason, report.SharedReasons), StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(3)
            .Select(g => $"{g.Count()} {g.Key}")
            .ToList();
        if (notEvaluated.Count > 0)
        {
            parts.Add($"not evaluated: {string.Join("; ", notEvaluated)}");
        }

        parts.Add($"report: {reportPath}");
        var others = run.Others.Select(r => $"DurableEval: {Headline(r)}; evaluated {MarkdownReport.RunLine(r)}; not gated (measured for comparison)");
        return [first, .. others, "DurableEval: " + string.Join(". ", parts)];
    }

    /// <summary>
    /// The overall and the verdict in one phrase: "⭐⭐⭐ PoC Ready", or while incomplete "not rated (incomplete);
    /// provisional ⭐⭐⭐ PoC Ready from 2 of 58; incomplete: fail-close criteria not evaluated: ...".
    /// </summary>
    public static string Headline(EvaluationReport report) => Headline(report, named: true);

    /// <summary><see cref="Headline(EvaluationReport)"/>, led by the engine's name ("Temporal: ⭐⭐⭐ PoC Ready") when <paramref name="named"/>.</summary>
    public static string Headline(EvaluationReport report, bool named) =>
        (named ? report.Engine.Name + ": " : string.Empty) + (report.Overall.Provisional
            ? $"{report.OverallText}{MarkdownReport.CappedText(report.Overall)}; {MarkdownReport.IncompleteText(report.Overall)}"
            : (report.Overall.Stars is null ? string.Empty : Rubric.StarsText(report.Overall.Stars) + " ") + MarkdownReport.Verdict(report.Overall) + MarkdownReport.EvidenceShare(report));

    // Why a criterion was not evaluated, coarsely: a shared not-run reason by its key ("that reason" for the one
    // just printed), else the rating's own reason.
    private static string Cause(string reason, IReadOnlyList<SharedReason> shared)
    {
        var key = shared.FirstOrDefault(s => reason.Contains(s.Text, StringComparison.Ordinal));
        return key is null ? reason : key == shared[0] ? "for that reason" : $"for reason {key.Key} in the report";
    }
}
