using System.Globalization;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>
/// REPORT.md's run-level sections when more than one engine ran: Comparison, When to use, Deployment checklist.
/// <paramref name="anchor"/> (in every method) gives the in-page anchor of an engine's criterion section, so each
/// star links to its evidence.
/// </summary>
public static class ComparisonMarkdown
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

        var sb = new StringBuilder();
        Comparison(sb, reports, anchor);
        WhenToUseSection(sb, reports, anchor);
        Checklist(sb, reports, anchor);
        return sb.ToString();
    }

    private static void Comparison(StringBuilder sb, IReadOnlyList<EvaluationReport> reports, Func<Engine, string, string> anchor)
    {
        var engines = ComparisonTable.Ordered(reports).Select(r => r.Engine).ToList();
        Line(sb, "## Comparison");
        Line(sb);
        Line(sb, "| Row | " + string.Join(" | ", engines.Select(e => Cell(e.Name))) + " |");
        Line(sb, "|---|" + string.Concat(engines.Select(_ => "---|")));
        foreach (var line in ComparisonTable.Build(reports))
        {
            var named = ComparisonRows.Source.Any(r => r.Name == line.Label);
            Line(sb, "| " + Cell(named ? $"**{line.Label}**" : line.Label) + " | " +
                     string.Join(" | ", line.Cells.Select(c => Cell(Inline(c.Segments, anchor)))) + " |");
        }

        Line(sb);
        Line(sb, "Rows:");
        Line(sb);
        foreach (var row in ComparisonRows.Source)
        {
            Line(sb, $"- **{row.Name}** = {string.Join(", ", row.Criteria)}: {row.Why}.");
        }

        Line(sb, "- **Category rows** = every criterion of the category.");
        Line(sb);
        Line(sb, "Rule: " + ComparisonTable.Rule);
        Line(sb);
    }

    private static void WhenToUseSection(StringBuilder sb, IReadOnlyList<EvaluationReport> reports, Func<Engine, string, string> anchor)
    {
        Line(sb, "## When to use");
        Line(sb);
        Line(sb, "Rule: " + WhenToUse.Rule);
        Line(sb);
        foreach (var entry in WhenToUse.Derive(reports))
        {
            Line(sb, "- " + Inline(entry.Sentence, anchor));
        }

        Line(sb);
    }

    private static void Checklist(StringBuilder sb, IReadOnlyList<EvaluationReport> reports, Func<Engine, string, string> anchor)
    {
        Line(sb, "## Deployment checklist");
        Line(sb);
        Line(sb, "Rule: " + DeploymentChecklist.Rule);
        Line(sb);
        foreach (var list in DeploymentChecklist.Derive(reports))
        {
            if (list.Items.Count == 0)
            {
                Line(sb, $"**{list.Engine.Name}:** nothing to settle; every applicable criterion was rated {Rubric.StarsText(Rubric.Good)} or more.");
                Line(sb);
                continue;
            }

            // Folded per engine: an engine with few facts has dozens of not-evaluated lines.
            Line(sb, $"<details><summary><b>{Html(list.Engine.Name)}</b>: {Int(list.Items.Count)} items ({Int(list.Weak)} weak, {Int(list.NotEvaluated)} not evaluated)</summary>");
            Line(sb);
            foreach (var item in list.Items)
            {
                Line(sb, "- [ ] " + Inline(item.Line, anchor));
            }

            Line(sb);
            Line(sb, "</details>");
            Line(sb);
        }
    }

    /// <summary>Segments as Markdown: full stars as ⭐⭐⭐, compact as ⭐3, evidence as [text](#anchor).</summary>
    public static string Inline(IEnumerable<Segment> segments, Func<Engine, string, string> anchor) =>
        string.Concat(segments.Select(s => s.Kind switch
        {
            SegmentKind.Evidence => $"[{s.Text}](#{anchor(s.Engine!, s.Criterion!)})",
            _ => Segment.PlainText([s]),
        }));

    private static string Cell(string value) =>
        value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static void Line(StringBuilder sb, string text = "") => sb.Append(text).Append('\n');

    private static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
