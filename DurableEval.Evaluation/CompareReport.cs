using System.Globalization;
using System.Net;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>One run in a comparison: a label (usually the file it came from) and its report.</summary>
public sealed record ComparedRun(string Label, EvaluationReport Report)
{
    /// <summary>The servers the run used, as its environment names them (another engine's: the hosts its checks ran on).</summary>
    public string Target => Report.Engine.IsSubject ? Report.Environment.Servers : CompareLabels.Servers(Report);
}

/// <summary>
/// Several runs side by side (e.g. the time-skipping server, a dev server, a team's cluster), criterion by criterion:
/// stars, coverage and the metrics they measured. Pure: the same runs give the same bytes.
/// </summary>
public static class CompareReport
{
    public static string Markdown(IReadOnlyList<ComparedRun> runs)
    {
        var sb = new StringBuilder();
        void Line(string text = "") => sb.Append(text).Append('\n');
        void Row(IEnumerable<string> cells) => Line("| " + string.Join(" | ", cells.Select(Cell)) + " |");

        Line("# DurableEval comparison");
        Line();
        Row(new[] { "", }.Concat(runs.Select(r => r.Label)));
        Line("|---|" + string.Concat(runs.Select(_ => "---|")));
        foreach (var (name, value) in Summary)
        {
            Row(new[] { $"**{name}**" }.Concat(runs.Select(value)));
        }

        Line();
        Line("## Criteria");
        Line();
        Row(new[] { "Criterion" }.Concat(runs.Select(r => r.Label)));
        Line("|---|" + string.Concat(runs.Select(_ => "---|")));
        foreach (var (id, name) in CriteriaIn(runs))
        {
            Row(new[] { $"{id} {name}" }.Concat(runs.Select(r => CriterionCell(r.Report, id))));
        }

        var metrics = MetricsIn(runs);
        if (metrics.Count > 0)
        {
            Line();
            Line("## Metrics");
            Line();
            Row(new[] { "Criterion", "Metric", "Unit" }.Concat(runs.Select(r => r.Label)));
            Line("|---|---|---|" + string.Concat(runs.Select(_ => "---|")));
            foreach (var (id, metric, unit) in metrics)
            {
                Row(new[] { id, $"`{metric}`", unit }.Concat(runs.Select(r => MetricCell(r.Report, id, metric))));
            }
        }

        return sb.ToString();
    }

    public static string Html(IReadOnlyList<ComparedRun> runs)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>DurableEval comparison</title>\n<style>\n")
            .Append(HtmlReport.Style).Append("</style>\n</head>\n<body>\n<h1>DurableEval comparison</h1>\n");
        h.Append("<table class=\"compare\">\n<thead><tr><th></th>");
        foreach (var r in runs)
        {
            h.Append("<th>").Append(E(r.Label)).Append("</th>");
        }

        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var (name, value) in Summary)
        {
            h.Append("<tr><th>").Append(E(name)).Append("</th>");
            foreach (var r in runs)
            {
                h.Append("<td>").Append(E(value(r))).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        foreach (var (id, name) in CriteriaIn(runs))
        {
            h.Append("<tr data-criterion=\"").Append(E(id)).Append("\"><th>").Append(E($"{id} {name}")).Append("</th>");
            foreach (var r in runs)
            {
                var result = r.Report.Results.FirstOrDefault(x => x.Definition.Id == id);
                h.Append("<td class=\"").Append(HtmlReport.StatusClass(result)).Append("\">").Append(E(CriterionCell(r.Report, id))).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
        var metrics = MetricsIn(runs);
        if (metrics.Count > 0)
        {
            h.Append("<h2>Metrics</h2>\n<table>\n<thead><tr><th>Criterion</th><th>Metric</th><th>Unit</th>");
            foreach (var r in runs)
            {
                h.Append("<th>").Append(E(r.Label)).Append("</th>");
            }

            h.Append("</tr></thead>\n<tbody>\n");
            foreach (var (id, metric, unit) in metrics)
            {
                h.Append("<tr><td>").Append(E(id)).Append("</td><td><code>").Append(E(metric)).Append("</code></td><td>").Append(E(unit)).Append("</td>");
                foreach (var r in runs)
                {
                    h.Append("<td>").Append(E(MetricCell(r.Report, id, metric))).Append("</td>");
                }

                h.Append("</tr>\n");
            }

            h.Append("</tbody>\n</table>\n");
        }

        h.Append("</body>\n</html>\n");
        return h.ToString();
    }

    private static IReadOnlyList<(string Name, Func<ComparedRun, string> Value)> Summary { get; } =
    [
        ("Engine", r => r.Report.Engine.IsSubject ? $"{r.Report.Engine.Name} (gated)" : $"{r.Report.Engine.Name} (not gated)"),
        ("Servers", r => r.Target),
        ("Generated", r => r.Report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"),
        ("Verdict", r => MarkdownReport.EngineVerdict(r.Report)),
        ("Overall", r => r.Report.OverallText),
        ("Evaluated", r => MarkdownReport.RunLine(r.Report)),
    ];

    private static string CriterionCell(EvaluationReport report, string id) =>
        report.Results.FirstOrDefault(r => r.Definition.Id == id) is not { } r ? "\u2014"
        : r.Rating.IsEvaluated ? $"{Rubric.StarsText(r.Rating.Stars)} ({MarkdownReport.CoverageText(r.Coverage)})"
        : !r.Rating.IsApplicable ? $"{Rubric.NotApplicableStars} {Rubric.NotApplicableLabel.ToLowerInvariant()}"
        : $"\u2014 {ShortReason(r.Rating.Reason)}";

    private static string ShortReason(string reason)
    {
        var first = reason.Split(';')[0];
        return first.Length <= 60 ? first : first[..57] + "...";
    }

    private static string MetricCell(EvaluationReport report, string id, string metric) =>
        report.Results.FirstOrDefault(r => r.Definition.Id == id)?.Evidence?.Metrics.FirstOrDefault(m => m.Name == metric) is { } m
            ? EvaluationReport.Number(m.Value)
            : "\u2014";

    private static List<(string Id, string Name)> CriteriaIn(IReadOnlyList<ComparedRun> runs) =>
        Catalog.All.Where(d => runs.Any(r => r.Report.Results.Any(x => x.Definition.Id == d.Id))).Select(d => (d.Id, d.Name)).ToList();

    private static List<(string Id, string Metric, string Unit)> MetricsIn(IReadOnlyList<ComparedRun> runs) =>
        Catalog.All.SelectMany(d => runs
                .SelectMany(r => r.Report.Results.Where(x => x.Definition.Id == d.Id).SelectMany(x => x.Evidence?.Metrics ?? []))
                .Select(m => (d.Id, m.Name, m.Unit)))
            .Distinct()
            .ToList();

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
