namespace DurableEval.Evaluation;

/// <summary>The one or two lines a plain dotnet test ends with: verdict, how much was evaluated, why the rest was not, where the report is.</summary>
public static class ConsoleSummary
{
    public static IReadOnlyList<string> Lines(EvaluationReport report, string reportPath)
    {
        var stars = report.Overall.Stars is null ? string.Empty : Rubric.StarsText(report.Overall.Stars) + " ";
        var first = $"DurableEval: {stars}{MarkdownReport.Verdict(report.Overall)}; evaluated {MarkdownReport.RunLine(report)}";
        if (report.Policy.Violations.Count > 0)
        {
            first += $"; {report.Policy.Summary}";
        }

        if (report.Baseline is { } baseline)
        {
            first += $"; since baseline: {MarkdownReport.BaselineLine(baseline)}";
        }

        var notEvaluated = report.Total - report.Evaluated;
        var reason = report.SharedReasons.FirstOrDefault();
        var second = reason is not null
            ? $"DurableEval: most common reason a check did not run ({reason.Checks} checks in {reason.Criteria.Count} {(reason.Criteria.Count == 1 ? "criterion" : "criteria")}): {reason.Text}. Report: {reportPath}"
            : notEvaluated > 0
                ? $"DurableEval: {notEvaluated} criteria not evaluated (reasons in the report). Report: {reportPath}"
                : $"DurableEval: report: {reportPath}";
        return [first, second];
    }
}
