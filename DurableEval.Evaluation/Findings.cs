using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>Key findings and the conclusion, derived from the report model so they can never contradict it.</summary>
public static class Findings
{
    public static IReadOnlyList<string> Derive(EvaluationReport report)
    {
        var lines = new List<string>();
        var evaluated = report.Results.Where(r => r.Rating.IsEvaluated).ToList();
        var byStars = Rubric.Rows.Reverse()
            .Select(row => (row, count: evaluated.Count(r => r.Rating.Stars == row.Stars)))
            .Where(x => x.count > 0)
            .Select(x => $"{N(x.count)} {x.row.Label}");
        lines.Add($"{N(evaluated.Count)} of {N(report.Total)} criteria evaluated" +
                  (evaluated.Count > 0 ? ": " + string.Join(", ", byStars) + "." : "."));

        var overall = report.Overall;
        if (overall.FailCloseBelowBar.Count > 0)
        {
            lines.Add($"Fail-close criteria below the bar: {string.Join(", ", overall.FailCloseBelowBar)}; the overall rating is capped at {Rubric.FailCloseCap} stars.");
        }

        if (overall.FailCloseNotEvaluated.Count > 0)
        {
            lines.Add($"Fail-close criteria not evaluated: {string.Join(", ", overall.FailCloseNotEvaluated)}; the verdict is incomplete until they run.");
        }
        else if (overall.FailCloseBelowBar.Count == 0 && report.Results.Any(r => r.FailCloseApplies))
        {
            lines.Add("Every applicable fail-close criterion meets the bar.");
        }

        var rated = report.Categories.Where(c => c.Average is not null).OrderBy(c => c.Average).ThenBy(c => c.Category.Code, StringComparer.Ordinal).ToList();
        if (rated.Count >= 2)
        {
            lines.Add($"Weakest category: {rated[0].Category.Code} {rated[0].Category.Name} (average {EvaluationReport.Number(rated[0].Average!.Value)}); " +
                      $"strongest: {rated[^1].Category.Code} {rated[^1].Category.Name} (average {EvaluationReport.Number(rated[^1].Average!.Value)}).");
        }

        var checks = report.Results.Where(r => r.Evidence is not null).SelectMany(r => r.Evidence!.Checks.Select(c => (r.Definition.Id, Check: c))).ToList();
        var failed = checks.Where(c => c.Check.Outcome == CheckOutcome.Failed).ToList();
        if (failed.Count > 0)
        {
            lines.Add($"{N(failed.Count)} checks failed: {string.Join(", ", failed.Select(f => $"{f.Id}/{f.Check.Id}"))}.");
        }

        var notRun = checks.Where(c => c.Check.Outcome == CheckOutcome.NotRun).ToList();
        if (notRun.Count > 0)
        {
            var reasons = notRun.GroupBy(c => c.Check.Detail, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{N(g.Count())} x {SharedReason.Abbreviate(g.Key, report.SharedReasons)}");
            lines.Add($"{N(notRun.Count)} checks could not run: {string.Join("; ", reasons)}.");
        }

        var ran = checks.Count - notRun.Count;
        if (ran > 0)
        {
            lines.Add($"{N(ran)} checks ran ({N(ran - failed.Count)} passed, {N(failed.Count)} failed) and {N(report.Results.Sum(r => r.Evidence?.Metrics.Count ?? 0))} metrics were measured.");
        }

        var noFact = report.Results.Count(r => r.Fact.State == FactState.NoFact);
        if (noFact > 0)
        {
            lines.Add($"{N(noFact)} criteria have no fact yet.");
        }

        var notSelected = report.Results.Count(r => r.Fact.State == FactState.NotSelected);
        if (notSelected > 0)
        {
            lines.Add($"{N(notSelected)} criteria with facts were not selected by this run's filter.");
        }

        return lines;
    }

    public static string Conclusion(EvaluationReport report)
    {
        var overall = report.Overall;
        if (overall.Stars is null)
        {
            return "No criterion was evaluated, so this run supports no conclusion about Temporal. " +
                   "The reasons are in the \"All criteria\" table and under \"Not-run reasons\"; most often no server could be had (see README, \"Servers\").";
        }

        var text = $"On the evidence of the {N(report.Total - overall.LeftOut.Count)} criteria evaluated, Temporal used from .NET rates " +
                   $"{Rubric.StarsText(overall.Stars)} {overall.Label} for a workload whose workflows run for {report.Profile.Fields[0].Value}.";
        if (overall.Capped)
        {
            text += $" The rating is capped because fail-close criteria are below the bar: {string.Join(", ", overall.FailCloseBelowBar)}.";
        }

        if (!overall.Complete)
        {
            text += $" The verdict is incomplete: fail-close criteria {string.Join(", ", overall.FailCloseNotEvaluated)} were not evaluated.";
        }

        if (overall.LeftOut.Count > 0)
        {
            text += $" {N(overall.LeftOut.Count)} criteria were not evaluated and are left out of the averages.";
        }

        return text;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
