using System.Globalization;
using System.Net;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>
/// Renders report.html: one self-contained file (inline CSS, inline SVG charts, a few lines of inline script for the
/// filters; nothing fetched) from the same report model as REPORT.md. Same input, same bytes.
/// </summary>
public static class HtmlReport
{
    internal const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5rem auto; max-width: 1200px; padding: 0 1rem; color: #1d2430; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #dde; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
        th, td { border: 1px solid #dde; padding: .3rem .5rem; text-align: left; vertical-align: top; }
        thead th { background: #f3f5f9; }
        .good { background: #eaf7ee; } .not-good { background: #fdecea; } .not-evaluated { background: #f6f6f6; color: #555; }
        .not-applicable { background: #fff; color: #888; font-style: italic; }
        .summary p { margin: .2rem 0; } .verdict { font-size: 1.1rem; font-weight: 600; }
        .filters { display: flex; gap: 1rem; align-items: center; margin: .5rem 0; }
        figure { display: inline-block; margin: .5rem 1rem .5rem 0; } figcaption { font-size: .85rem; color: #555; max-width: 640px; }
        details { margin: .3rem 0; } summary { cursor: pointer; }
        code { font-size: .85rem; }

        """;

    private const string Script = """
        (function () {
          var category = document.getElementById('f-category'), status = document.getElementById('f-status'), failClose = document.getElementById('f-failclose');
          function apply() {
            document.querySelectorAll('#criteria tbody tr').forEach(function (row) {
              var show = (category.value === '' || row.dataset.category === category.value)
                && (status.value === '' || row.dataset.status === status.value)
                && (!failClose.checked || row.dataset.failclose === 'yes');
              row.hidden = !show;
            });
          }
          [category, status, failClose].forEach(function (e) { e.addEventListener('change', apply); });
        })();

        """;

    public static string Render(EvaluationReport report) => Render(RunReport.Single(report));

    /// <summary>The subject engine's report as for a single-engine run, then a section per other engine that ran.</summary>
    public static string Render(RunReport run)
    {
        var report = run.Subject;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>DurableEval report</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        Summary(h, report);
        OtherEngines(h, run);
        Criteria(h, report);
        Charts(h, report);
        NotRunReasons(h, report);
        Baseline(h, report);
        Details(h, report);
        Cost(h, run);
        Environment(h, report);

        // Comparison, When to use, Deployment checklist: derived across engines (nothing for a single-engine run).
        h.Append(ComparisonHtml.Render(run));
        foreach (var other in run.Others)
        {
            EngineSection(h, other);
        }

        h.Append("<script>\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return h.ToString();
    }

    /// <summary>good (Rubric.Good stars or more), not-good (evaluated, fewer) or not-evaluated: the status filter's values and the row colour.</summary>
    public static string StatusClass(CriterionResult? r) =>
        r is not null && !r.Rating.IsApplicable ? "not-applicable"
        : r is null || !r.Rating.IsEvaluated ? "not-evaluated" : r.Rating.Stars >= Rubric.Good ? "good" : "not-good";

    // Which other engines ran, with their verdicts and a link to each one's section.
    private static void OtherEngines(StringBuilder h, RunReport run)
    {
        if (!run.IsMultiEngine)
        {
            return;
        }

        h.Append("<p><b>Also measured with the same catalog (not gated):</b> ");
        h.Append(string.Join("; ", run.Others.Select(r =>
            $"<a href=\"#{E(ReportAnchors.Section(r.Engine))}\">{E(r.Engine.Name)}</a>: {E(ConsoleSummary.Headline(r, named: false))}")));
        h.Append("</p>\n");
    }

    // Another engine's section: verdict, criteria, not-run reasons, evidence; run-wide parts are stated once above.
    private static void EngineSection(StringBuilder h, EvaluationReport report)
    {
        var engine = report.Engine;
        var o = report.Overall;
        h.Append("<section id=\"").Append(E(ReportAnchors.Section(engine))).Append("\" class=\"engine\">\n");
        h.Append("<h2>").Append(E($"{engine.Name}: the same catalog, measured ({engine.Sdk})")).Append("</h2>\n");
        h.Append("<p class=\"verdict\">").Append(E(MarkdownReport.EngineVerdict(report))).Append("</p>\n");
        P(h, "Overall", report.OverallTextWith(Stars) + (o.Mean is { } mean ? $" (mean of category averages {EvaluationReport.Number(mean)})" : string.Empty));
        P(h, "Evaluated", MarkdownReport.RunLine(report));
        P(h, "Gate", MarkdownReport.GateText(engine));
        CriteriaTable(h, report, "criteria-" + engine.Id);
        if (report.SharedReasons.Count > 0)
        {
            h.Append("<h3 id=\"").Append(E(ReportAnchors.For(engine, "not-run-reasons"))).Append("\">").Append(E($"Not-run reasons ({engine.Name})")).Append("</h3>\n");
            Table(h, ["Key", "Reason and fix", "Checks", "Criteria"], report.SharedReasons.Select(s => new[]
            {
                s.Key, s.Text, s.Checks.ToString(CultureInfo.InvariantCulture), string.Join(", ", s.Criteria),
            }));
        }

        h.Append("<h3>").Append(E($"Details ({engine.Name})")).Append("</h3>\n");
        CriterionDetails(h, report);
        h.Append("<h3>").Append(E($"Conclusion ({engine.Name})")).Append("</h3>\n");
        foreach (var paragraph in Findings.Conclusion(report))
        {
            h.Append("<p>").Append(E(paragraph.Replace("**", string.Empty, StringComparison.Ordinal)).Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</p>\n");
        }

        h.Append("</section>\n");
    }

    private static void Summary(StringBuilder h, EvaluationReport report)
    {
        var o = report.Overall;
        h.Append("<header class=\"summary\">\n<h1>DurableEval report: is Temporal, used from .NET, ready for production?</h1>\n");
        h.Append("<p class=\"verdict\" id=\"verdict\">").Append(E(MarkdownReport.EngineVerdict(report))).Append("</p>\n");
        P(h, "Overall", report.OverallTextWith(Stars) + (o.Mean is { } mean ? $" (mean of category averages {EvaluationReport.Number(mean)})" : string.Empty));
        P(h, "Evaluated", MarkdownReport.RunLine(report));
        if (report.SharedReasons.FirstOrDefault() is { } top)
        {
            P(h, "Most common reason a check did not run", $"[{top.Key}] {top.Text} ({top.Checks.ToString(CultureInfo.InvariantCulture)} checks)");
        }

        if (report.Baseline is { } baseline)
        {
            P(h, "Since baseline", MarkdownReport.BaselineLine(baseline));
        }

        P(h, "Policy", report.Policy.Summary);
        P(h, "Generated", report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) +
                          $" UTC; environment fingerprint {report.Environment.Fingerprint}" +
                          (report.Cost.WallTime is { } wall ? $"; the run took {MarkdownReport.Duration(wall)}" : string.Empty));
        h.Append("</header>\n");
    }

    private static void Criteria(StringBuilder h, EvaluationReport report)
    {
        h.Append("<h2 id=\"all-criteria\">All criteria</h2>\n<div class=\"filters\">\n");
        h.Append("<label>Category <select id=\"f-category\"><option value=\"\">all</option>");
        foreach (var c in report.Categories)
        {
            h.Append("<option value=\"").Append(E(c.Category.Code)).Append("\">").Append(E($"{c.Category.Code} {c.Category.Name}")).Append("</option>");
        }

        h.Append("</select></label>\n");
        h.Append("<label>Status <select id=\"f-status\"><option value=\"\">all</option><option value=\"good\">good (" + Rubric.Good.ToString(CultureInfo.InvariantCulture) + "+ stars)</option>" +
                 "<option value=\"not-good\">not good</option><option value=\"not-evaluated\">not evaluated</option></select></label>\n");
        h.Append("<label><input type=\"checkbox\" id=\"f-failclose\"> fail-close only</label>\n</div>\n");
        CriteriaTable(h, report, "criteria");
    }

    private static void CriteriaTable(StringBuilder h, EvaluationReport report, string id)
    {
        h.Append("<table id=\"").Append(E(id)).Append("\">\n<thead><tr><th>ID</th><th>Criterion</th><th>Stars</th><th>Reason</th><th>Coverage</th><th>Fail-close</th><th>Fact time</th></tr></thead>\n<tbody>\n");
        var shared = report.SharedReasons;
        foreach (var r in report.Results)
        {
            h.Append("<tr class=\"").Append(StatusClass(r)).Append("\" data-criterion=\"").Append(E(r.Definition.Id))
                .Append("\" data-category=\"").Append(E(r.Definition.Category.Code))
                .Append("\" data-status=\"").Append(StatusClass(r))
                .Append("\" data-failclose=\"").Append(r.FailCloseApplies ? "yes" : "no").Append("\">");
            h.Append("<td><a href=\"#").Append(E(ReportAnchors.For(r.Engine, r.Definition.Id))).Append("\">").Append(E(r.Definition.Id)).Append("</a></td>");
            Td(h, r.Definition.Name);
            Td(h, $"{StarsCell(r.Rating)} {r.Rating.Label}");
            Td(h, MarkdownReport.OneLineReason(r, shared));
            Td(h, r.Rating.IsApplicable ? MarkdownReport.CoverageCell(r) : "\u2014");
            Td(h, r.FailCloseApplies ? MarkdownReport.FailCloseStatus(r) : "\u2014");
            Td(h, r.Fact.Duration is { } d ? MarkdownReport.Duration(d) : "\u2014");
            h.Append("</tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void Charts(StringBuilder h, EvaluationReport report)
    {
        var charts = ReportCharts.For(report);
        if (charts.Count == 0)
        {
            return;
        }

        h.Append("<h2 id=\"charts\">Charts</h2>\n");
        foreach (var chart in charts)
        {
            h.Append("<figure id=\"").Append(E(chart.Id)).Append("\">\n").Append(chart.Svg.Trim()).Append('\n')
                .Append("<figcaption><b>").Append(E(chart.Title)).Append(":</b> ").Append(E(chart.Caption)).Append("</figcaption>\n</figure>\n");
        }
    }

    private static void NotRunReasons(StringBuilder h, EvaluationReport report)
    {
        if (report.SharedReasons.Count == 0)
        {
            return;
        }

        h.Append("<h2 id=\"not-run-reasons\">Not-run reasons</h2>\n<table>\n<thead><tr><th>Key</th><th>Reason and fix</th><th>Checks</th><th>Criteria</th></tr></thead>\n<tbody>\n");
        foreach (var s in report.SharedReasons)
        {
            h.Append("<tr>");
            Td(h, s.Key);
            Td(h, s.Text);
            Td(h, s.Checks.ToString(CultureInfo.InvariantCulture));
            Td(h, string.Join(", ", s.Criteria));
            h.Append("</tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void Baseline(StringBuilder h, EvaluationReport report)
    {
        if (report.Baseline is not { } diff)
        {
            return;
        }

        h.Append("<h2 id=\"baseline\">Changes since baseline</h2>\n");
        h.Append("<p>Baseline ").Append(E(diff.Source)).Append(": ").Append(E(MarkdownReport.BaselineLine(diff))).Append(".</p>\n");
        Table(h, ["Criterion", "Stars (baseline \u2192 now)", "Regression"], diff.Stars.Select(s => new[] { s.Criterion, s.Text, s.IsRegression ? "yes" : "no" }));
        Table(h, ["Criterion", "Check", "Baseline", "Now"], diff.Checks.Select(c => new[] { c.Criterion, c.Check, JsonReport.OutcomeName(c.Before), JsonReport.OutcomeName(c.After) }));
        Table(h, ["Criterion", "Metric", "Baseline", "Now", "Unit"], diff.Metrics.Select(m => new[] { m.Criterion, m.Metric, EvaluationReport.Number(m.Before), EvaluationReport.Number(m.After), m.Unit }));
        h.Append("<p>").Append(E(BaselineDiff.MetricRule)).Append(".</p>\n");
    }

    private static void Details(StringBuilder h, EvaluationReport report)
    {
        h.Append("<h2 id=\"details\">Details</h2>\n");
        CriterionDetails(h, report);
    }

    private static void CriterionDetails(StringBuilder h, EvaluationReport report)
    {
        var shared = report.SharedReasons;
        foreach (var r in report.Results)
        {
            var d = r.Definition;
            h.Append("<details id=\"").Append(E(ReportAnchors.For(r.Engine, d.Id))).Append("\" class=\"criterion\"><summary><b>").Append(E($"{d.Id} {d.Name}")).Append("</b>: ")
                .Append(E($"{StarsCell(r.Rating)} {r.Rating.Label}")).Append("</summary>\n<ul>\n");
            Li(h, "Reason", SharedReason.Abbreviate(r.Rating.Reason, shared));
            Li(h, "Criterion", d.Description);
            Li(h, "Support", r.Engine.IsSubject && r.Rating.IsApplicable
                ? $"{r.Support.ToString().ToLowerInvariant()}; fail-close: {(r.FailCloseApplies ? "applies" : "no")} ({MarkdownReport.RuleText(d.FailClose)}); policy bar: {r.PolicyBar.ToString(CultureInfo.InvariantCulture)} stars"
                : MarkdownReport.SupportText(r).Replace("**", string.Empty, StringComparison.Ordinal));
            Li(h, "Fact", MarkdownReport.FactText(r.Fact).Replace("`", string.Empty, StringComparison.Ordinal));
            if (r.Evidence is { } e && e.ServersUsed.Count > 0)
            {
                Li(h, "Servers that contributed", string.Join("; ", e.ServersUsed.Select(s => $"{s.Kind}, version {s.Version} ({s.Isolation})")));
            }

            if (r.Engine.IsSubject)
            {
                Li(h, "To raise the rating", d.ToRaise);
            }

            h.Append("</ul>\n");
            if (r.Evidence is { } evidence)
            {
                Table(h, ["Check", "Kind", "Outcome", "Server", "Evidence"], evidence.Checks.Select(c => new[]
                {
                    $"{c.Id}: {c.Description}", c.Kind.ToString().ToLowerInvariant(), JsonReport.OutcomeName(c.Outcome),
                    c.Server?.Short ?? (c.Outcome == CheckOutcome.NotRun ? "none" : "offline"),
                    c.Outcome == CheckOutcome.NotRun ? SharedReason.Abbreviate(c.Detail, shared) : c.Detail,
                }));
                if (r.Engine.IsSubject)
                {
                    Table(h, ["Metric", "Value", "Unit", "Published anchor", "Reference (" + MetricAnchors.ReferenceLabel + ")"], evidence.Metrics.Select(m => new[]
                    {
                        m.Name, EvaluationReport.Number(m.Value), m.Unit, MetricAnchors.PublishedText(d.Id, m.Name), MetricAnchors.ReferenceText(d.Id, m.Name),
                    }));
                }
                else
                {
                    // Published anchors and reference figures are Temporal's.
                    Table(h, ["Metric", "Value", "Unit"], evidence.Metrics.Select(m => new[] { m.Name, EvaluationReport.Number(m.Value), m.Unit }));
                }
                if (evidence.Findings.Count + evidence.Citations.Count > 0)
                {
                    h.Append("<ul>\n");
                    foreach (var f in evidence.Findings)
                    {
                        Li(h, "Finding", f);
                    }

                    foreach (var c in evidence.Citations)
                    {
                        Li(h, "Documented (not measured)", $"{c.Statement} ({c.Source})");
                    }

                    h.Append("</ul>\n");
                }
            }

            h.Append("</details>\n");
        }
    }

    private static void Cost(StringBuilder h, RunReport run)
    {
        var report = run.Subject;
        h.Append("<h2 id=\"run-cost\">Run cost and policy</h2>\n<ul>\n");
        foreach (var (label, text) in MarkdownReport.RunCostLines(run))
        {
            Li(h, label, text);
        }

        foreach (var (category, duration, facts) in report.CategoryDurations)
        {
            Li(h, $"{category.Code} {category.Name}", $"{MarkdownReport.Duration(duration)} over {facts.ToString(CultureInfo.InvariantCulture)} facts");
        }

        Li(h, "Policy", $"{report.Policy.Policy.Source}: {string.Join("; ", report.Policy.Policy.Describe())}");
        h.Append("</ul>\n");
    }

    private static void Environment(StringBuilder h, EvaluationReport report)
    {
        h.Append("<h2 id=\"environment\">Test environment</h2>\n");
        Table(h, ["Item", "Value"], report.Environment.Rows.Select(r => new[] { r.Name, r.Value }).Concat(report.Profile.Fields.Select(f => new[] { "profile " + f.Field, f.Value })));
        h.Append("<p>").Append(E(EvaluationReport.AggregationRule)).Append("</p>\n");
    }

    private static void Table(StringBuilder h, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }

        h.Append("<table>\n<thead><tr>");
        foreach (var c in header)
        {
            h.Append("<th>").Append(E(c)).Append("</th>");
        }

        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in list)
        {
            h.Append("<tr>");
            foreach (var c in row)
            {
                Td(h, c);
            }

            h.Append("</tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
    }

    private static void P(StringBuilder h, string name, string value) =>
        h.Append("<p><b>").Append(E(name)).Append(":</b> ").Append(E(value)).Append("</p>\n");

    private static void Li(StringBuilder h, string name, string value) =>
        h.Append("<li><b>").Append(E(name)).Append(":</b> ").Append(E(value)).Append("</li>\n");

    private static void Td(StringBuilder h, string value) => h.Append("<td>").Append(E(value)).Append("</td>");

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string StarsCell(Rating rating) => rating.IsApplicable ? Stars(rating.Stars) : Rubric.NotApplicableStars;

    // Filled and empty text stars (in every common font; the emoji star is missing where no emoji font is installed).
    internal static string Stars(int? stars) => stars is { } s ? new string('\u2605', s) + new string('\u2606', 5 - s) : "\u2014";
}
