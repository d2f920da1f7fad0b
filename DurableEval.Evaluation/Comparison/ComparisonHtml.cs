using System.Globalization;
using System.Net;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>
/// report.html's run-level sections when more than one engine ran, from the same derived segments as REPORT.md;
/// stars are drawn as report.html draws them (★★★☆☆, compact ★3).
/// </summary>
public static class ComparisonHtml
{
    /// <summary>The three sections for a run, linked with <see cref="ReportAnchors.For(Engine, string)"/>; nothing for a single-engine run.</summary>
    public static string Render(RunReport run) => Render(run.Engines, ReportAnchors.For);

    /// <summary>The three sections, or nothing when fewer than two engines ran.</summary>
    public static string Render(IReadOnlyList<EvaluationReport> reports, Func<Engine, string, string> anchor)
    {
        if (reports.Count < 2)
        {
            return string.Empty;
        }

        var h = new StringBuilder();
        var engines = ComparisonTable.Ordered(reports).Select(r => r.Engine).ToList();
        h.Append("<h2 id=\"comparison\">Comparison</h2>\n<table class=\"comparison\">\n<thead><tr><th>Row</th>");
        foreach (var e in engines)
        {
            h.Append("<th>").Append(E(e.Name)).Append("</th>");
        }

        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var line in ComparisonTable.Build(reports))
        {
            h.Append("<tr><th title=\"").Append(E(line.Why)).Append("\">").Append(E(line.Label)).Append("</th>");
            foreach (var cell in line.Cells)
            {
                h.Append("<td class=\"").Append(CellClass(cell)).Append("\">").Append(Inline(cell.Segments, anchor)).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</tbody>\n</table>\n<ul>\n");
        foreach (var row in ComparisonRows.Source)
        {
            h.Append("<li><b>").Append(E(row.Name)).Append("</b> = ").Append(E(string.Join(", ", row.Criteria))).Append(": ").Append(E(row.Why)).Append(".</li>\n");
        }

        h.Append("<li><b>Category rows</b> = every criterion of the category.</li>\n</ul>\n");
        h.Append("<p>Rule: ").Append(E(ComparisonTable.Rule)).Append("</p>\n");

        h.Append("<h2 id=\"when-to-use\">When to use</h2>\n<p>Rule: ").Append(E(WhenToUse.Rule)).Append("</p>\n<ul>\n");
        foreach (var entry in WhenToUse.Derive(reports))
        {
            h.Append("<li>").Append(Inline(entry.Sentence, anchor)).Append("</li>\n");
        }

        h.Append("</ul>\n<h2 id=\"deployment-checklist\">Deployment checklist</h2>\n<p>Rule: ").Append(E(DeploymentChecklist.Rule)).Append("</p>\n");
        foreach (var list in DeploymentChecklist.Derive(reports))
        {
            if (list.Items.Count == 0)
            {
                h.Append("<p><b>").Append(E(list.Engine.Name)).Append(":</b> nothing to settle; every applicable criterion was rated ")
                    .Append(E(HtmlReport.Stars(Rubric.Good))).Append(" or more.</p>\n");
                continue;
            }

            h.Append("<details class=\"checklist\"><summary><b>").Append(E(list.Engine.Name)).Append("</b>: ")
                .Append(E($"{Int(list.Items.Count)} items ({Int(list.Weak)} weak, {Int(list.NotEvaluated)} not evaluated)")).Append("</summary>\n<ul>\n");
            foreach (var item in list.Items)
            {
                h.Append("<li><input type=\"checkbox\" disabled> ").Append(Inline(item.Line, anchor)).Append("</li>\n");
            }

            h.Append("</ul>\n</details>\n");
        }

        return h.ToString();
    }

    /// <summary>Segments as HTML: full stars ★★★☆☆, compact ★3, evidence as a link to the engine's criterion section.</summary>
    public static string Inline(IEnumerable<Segment> segments, Func<Engine, string, string> anchor) =>
        string.Concat(segments.Select(s => s.Kind switch
        {
            SegmentKind.Evidence => $"<a href=\"#{E(anchor(s.Engine!, s.Criterion!))}\">{E(s.Text)}</a>",
            SegmentKind.Stars when s.Compact => "\u2605" + Int(s.Stars!.Value),
            SegmentKind.Stars => HtmlReport.Stars(s.Stars),
            _ => E(s.Text),
        }));

    // The same classes as the criteria table: good, not good, not evaluated, not applicable.
    private static string CellClass(ComparisonCell cell) => cell.State switch
    {
        CellState.Rated => cell.Stars >= Rubric.Good ? "good" : "not-good",
        CellState.NotApplicable => "not-applicable",
        _ => "not-evaluated",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
