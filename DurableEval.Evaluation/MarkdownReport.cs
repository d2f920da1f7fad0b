using System.Globalization;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>Renders REPORT.md: the shape a reader of evaluation reports expects, computed from the report model only.</summary>
public static class MarkdownReport
{
    public static string Render(EvaluationReport report)
    {
        var md = new Md();
        Overview(md, report);
        Environment(md, report);
        Legend(md);
        Profile(md, report);
        CoverageByCategory(md, report);
        FailClose(md, report);
        Items(md, report);
        Details(md, report);
        CoverageTable(md, report);
        KeyFindings(md, report);
        md.Heading(2, "Aggregation rule");
        md.Line(EvaluationReport.AggregationRule);
        md.Blank();
        Conclusion(md, report);
        return md.ToString();
    }

    private static void Overview(Md md, EvaluationReport report)
    {
        var overall = report.Overall;
        md.Heading(1, "DurableEval report: is Temporal, used from .NET, ready for production?");
        md.Line($"Generated {report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC; environment fingerprint `{report.Environment.Fingerprint}`.");
        md.Blank();
        md.Heading(2, "Overview");
        md.Line($"- **Verdict:** {Verdict(overall)}");
        md.Line($"- **Overall:** {Rubric.StarsText(overall.Stars)} {overall.Label}" +
                (overall.Mean is { } mean ? $" (mean of category averages {EvaluationReport.Number(mean)})" : string.Empty));
        var noFact = report.WithoutFact > 0 ? $"; {report.WithoutFact} have no fact yet" : string.Empty;
        md.Line(report.IsPartial
            ? $"- **Run:** partial run: {report.Selected} of {report.Total} selected{noFact}"
            : $"- **Run:** full run: {report.Selected} of {report.Total} selected{noFact}");
        var evaluated = report.Results.Count(r => r.Rating.IsEvaluated);
        md.Line($"- **Evaluated:** {evaluated} of {report.Total} criteria; {report.Total - evaluated} not evaluated (listed below with reasons)");
        md.Blank();
    }

    internal static string Verdict(OverallRating overall)
    {
        var text = overall.Stars is null
            ? "not evaluated: no criterion was evaluated"
            : $"{overall.Label}{(overall.Capped ? $" (capped at {Rubric.FailCloseCap} stars by fail-close: {string.Join(", ", overall.FailCloseBelowBar)})" : string.Empty)}";
        return overall.Complete
            ? text
            : $"{text}; incomplete: fail-close criteria not evaluated: {string.Join(", ", overall.FailCloseNotEvaluated)}";
    }

    private static void Environment(Md md, EvaluationReport report)
    {
        md.Heading(2, "Test environment");
        md.Table(["Item", "Value"], report.Environment.Rows.Select(r => new[] { r.Name, r.Value }));
    }

    private static void Legend(Md md)
    {
        md.Heading(2, "Star legend");
        md.Table(
            ["Stars", "Label", "Rule"],
            Rubric.Rows.Select(r => new[] { Rubric.StarsText(r.Stars), r.Label, r.Rule })
                .Append([Rubric.StarsText(null), Rubric.NotEvaluatedLabel, Rubric.NotEvaluatedRule]));
        md.Line($"\"Good\" below means {Rubric.StarsText(Rubric.Good)} or better; every fact asserts at least {Rubric.StarsText(Rubric.Bar)}.");
        md.Blank();
    }

    private static void Profile(Md md, EvaluationReport report)
    {
        md.Heading(2, "Profile");
        md.Line($"Source: {report.Profile.Source}.");
        md.Blank();
        md.Table(["Field", "Value"], report.Profile.Fields.Select(f => new[] { f.Field, f.Value }));
    }

    private static void CoverageByCategory(Md md, EvaluationReport report)
    {
        md.Heading(2, "Coverage summary by category");
        md.Table(
            ["Category", "Items", "Good", "Not good", "Not evaluated", "Average"],
            report.Categories.Select(c => new[]
            {
                $"{c.Category.Code} {c.Category.Name}",
                Int(c.Items), Int(c.Good), Int(c.NotGood), Int(c.NotEvaluated),
                c.Average is { } a ? EvaluationReport.Number(a) : "\u2014",
            }));
    }

    private static void FailClose(Md md, EvaluationReport report)
    {
        md.Heading(2, "Fail-close status");
        var rows = report.Results.Where(r => r.Definition.FailClose != FailCloseRule.None).Select(r => new[]
        {
            Ref(r),
            RuleText(r.Definition.FailClose),
            r.FailCloseApplies ? "yes" : "no (profile)",
            $"{Rubric.StarsText(r.Rating.Stars)} {r.Rating.Label}",
            !r.FailCloseApplies ? "does not apply"
                : !r.Rating.IsEvaluated ? "not evaluated: verdict incomplete"
                : r.Rating.Stars >= Rubric.Bar ? "meets the bar" : "below the bar: caps overall",
        });
        md.Table(["Criterion", "Rule", "Applies", "Rating", "Status"], rows);
    }

    private static void Items(Md md, EvaluationReport report)
    {
        var evaluated = report.Results.Where(r => r.Rating.IsEvaluated).ToList();
        md.Heading(2, "Good items");
        List(md, evaluated.Where(r => r.Rating.Stars >= Rubric.Good), r => $"{Ref(r)}: {Rubric.StarsText(r.Rating.Stars)} {r.Rating.Label}");
        md.Heading(2, "Not-good items");
        List(md, evaluated.Where(r => r.Rating.Stars < Rubric.Good), r => $"{Ref(r)}: {Rubric.StarsText(r.Rating.Stars)} {r.Rating.Label}: {r.Rating.Reason}");
        md.Heading(2, "Not evaluated");
        List(md, report.Results.Where(r => !r.Rating.IsEvaluated), r => $"{Ref(r)}: {r.Rating.Reason}");
    }

    private static void List(Md md, IEnumerable<CriterionResult> items, Func<CriterionResult, string> line)
    {
        var any = false;
        foreach (var item in items)
        {
            md.Line("- " + line(item));
            any = true;
        }

        if (!any)
        {
            md.Line("None.");
        }

        md.Blank();
    }

    private static void Details(Md md, EvaluationReport report)
    {
        md.Heading(2, "Criteria");
        foreach (var category in report.Categories)
        {
            md.Heading(3, $"{category.Category.Code} {category.Category.Name}");
            foreach (var r in report.Results.Where(r => r.Definition.Category == category.Category))
            {
                Criterion(md, r);
            }
        }
    }

    private static void Criterion(Md md, CriterionResult r)
    {
        var d = r.Definition;
        md.Heading(4, $"{d.Id} {d.Name}: {Rubric.StarsText(r.Rating.Stars)} {r.Rating.Label}");
        md.Line($"- **Reason:** {r.Rating.Reason}");
        md.Line($"- **Criterion:** {d.Description}");
        md.Line($"- **Support:** {d.Support.ToString().ToLowerInvariant()}; **fail-close:** {(r.FailCloseApplies ? "applies" : "no")} ({RuleText(d.FailClose)}); **servers:** {Servers(d.Servers)}");
        md.Line($"- **Fact:** {FactText(r.Fact)}");
        if (r.Evidence?.Server is { } server)
        {
            md.Line($"- **Server:** {server.Kind}, version {server.Version}; {server.Isolation}");
        }

        md.Line($"- **To raise the rating:** {d.ToRaise}");
        md.Blank();
        if (r.Evidence is not { } evidence)
        {
            return;
        }

        if (evidence.Checks.Count > 0)
        {
            md.Table(
                ["Check", "Kind", "Outcome", "Evidence"],
                evidence.Checks.Select(c => new[]
                {
                    $"`{c.Id}` {c.Description}",
                    c.Kind.ToString().ToLowerInvariant(),
                    OutcomeText(c.Outcome),
                    c.Detail,
                }));
        }

        if (evidence.Metrics.Count > 0)
        {
            // The method column appears only where a fact recorded one, so other criteria's tables are unchanged.
            var withMethod = evidence.Metrics.Any(m => m.Method is not null);
            md.Table(
                withMethod ? ["Metric", "Value", "Unit", "Method", "Published anchor"] : ["Metric", "Value", "Unit", "Published anchor"],
                evidence.Metrics.Select(m => withMethod
                    ? new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit, m.Method?.Describe() ?? "\u2014", MetricAnchors.Find(d.Id, m.Name) ?? "\u2014" }
                    : new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit, MetricAnchors.Find(d.Id, m.Name) ?? "\u2014" }));
        }

        foreach (var finding in evidence.Findings)
        {
            md.Line($"- Finding: {finding}");
        }

        foreach (var citation in evidence.Citations)
        {
            md.Line($"- Documented (not measured): {citation.Statement} ({citation.Source})");
        }

        if (evidence.Findings.Count + evidence.Citations.Count > 0)
        {
            md.Blank();
        }
    }

    private static void CoverageTable(Md md, EvaluationReport report)
    {
        md.Heading(2, "Coverage");
        md.Line("Measured: every check ran. Partial: some checks could not run. Documented only: nothing ran, sources cited. Not observable: nothing ran.");
        md.Blank();
        md.Table(
            ["Criterion", "Coverage", "Checks run", "Metrics"],
            report.Results.Select(r => new[]
            {
                Ref(r),
                CoverageText(r.Coverage),
                r.Evidence is { } e ? $"{Int(e.Checks.Count(c => c.Outcome != CheckOutcome.NotRun))} of {Int(e.Checks.Count)}" : "\u2014",
                r.Evidence is { } m ? Int(m.Metrics.Count) : "\u2014",
            }));
    }

    private static void KeyFindings(Md md, EvaluationReport report)
    {
        md.Heading(2, "Key findings");
        foreach (var line in Findings.Derive(report))
        {
            md.Line("- " + line);
        }

        md.Blank();
    }

    private static void Conclusion(Md md, EvaluationReport report)
    {
        md.Heading(2, "Conclusion");
        md.Line(Findings.Conclusion(report));
    }

    internal static string FactText(FactOutcome fact) => fact.State switch
    {
        FactState.NoFact => "none yet",
        FactState.NotSelected => $"`{fact.Fact}` (not selected in this run)",
        FactState.Passed => $"`{fact.Fact}` passed",
        FactState.Failed => $"`{fact.Fact}` failed",
        _ => $"`{fact.Fact}` skipped",
    };

    internal static string RuleText(FailCloseRule rule) => rule switch
    {
        FailCloseRule.Always => "always",
        FailCloseRule.WhenDurationAtLeastMinutes => "when duration is minutes or longer",
        _ => "none",
    };

    internal static string Servers(ServerNeeds needs)
    {
        var names = new List<string>();
        if (needs.HasFlag(ServerNeeds.TimeSkipping))
        {
            names.Add("time-skipping");
        }

        if (needs.HasFlag(ServerNeeds.Any))
        {
            names.Add("any");
        }

        if (needs.HasFlag(ServerNeeds.Dev))
        {
            names.Add("dev");
        }

        if (needs.HasFlag(ServerNeeds.Offline))
        {
            names.Add("offline");
        }

        return string.Join(", ", names);
    }

    internal static string OutcomeText(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Passed => "passed",
        CheckOutcome.Failed => "**failed**",
        _ => "not run",
    };

    internal static string CoverageText(Coverage coverage) => coverage switch
    {
        Coverage.Measured => "measured",
        Coverage.Partial => "partial",
        Coverage.DocumentedOnly => "documented only",
        _ => "not observable",
    };

    private static string Ref(CriterionResult r) => $"{r.Definition.Id} {r.Definition.Name}";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A tiny Markdown writer: LF line endings and escaped table cells, whatever the platform.</summary>
    private sealed class Md
    {
        private readonly StringBuilder text = new();

        public void Heading(int level, string title)
        {
            Line(new string('#', level) + " " + title);
            Blank();
        }

        public void Line(string line) => text.Append(line).Append('\n');

        public void Blank() => text.Append('\n');

        public void Table(IReadOnlyList<string> header, IEnumerable<string[]> rows)
        {
            Line("| " + string.Join(" | ", header) + " |");
            Line("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var row in rows)
            {
                Line("| " + string.Join(" | ", row.Select(Cell)) + " |");
            }

            Blank();
        }

        public override string ToString() => text.ToString();

        private static string Cell(string value) =>
            value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
    }
}
