using System.Globalization;
using System.Text;
using System.Xml;

namespace DurableEval.Evaluation;

/// <summary>
/// Renders junit.xml for CI dashboards: one test case per criterion, grouped in a suite per engine and category
/// (the suite's name and "engine" property carry the engine). For the subject engine a criterion below its bar is a
/// failure; another engine is never gated, so its weak ratings are properties, not failures. One not evaluated is
/// skipped with "not evaluated: reason", one outside the engine's scope with "not applicable: reason"; stars,
/// label, reason, bar and coverage are properties. The subject's cases keep their classname ("DurableEval.EX"),
/// so CI history follows them; another engine's are "DurableEval.durabletask.EX". Same input, same bytes.
/// </summary>
public static class JunitReport
{
    public static string Render(EvaluationReport report) => Render(RunReport.Single(report));

    public static string Render(RunReport run)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", "DurableEval");
            w.WriteAttributeString("tests", Int(run.Engines.Sum(r => r.Results.Count)));
            w.WriteAttributeString("failures", Int(run.Engines.Sum(r => r.Results.Count(x => IsFailure(x, r)))));
            w.WriteAttributeString("errors", "0");
            w.WriteAttributeString("skipped", Int(run.Engines.Sum(r => r.Results.Count(x => !x.Rating.IsEvaluated))));
            w.WriteAttributeString("time", Seconds(TimeSpan.FromTicks(run.Engines.Sum(r => r.Results.Sum(x => x.Fact.Duration?.Ticks ?? 0)))));
            foreach (var report in run.Engines)
            {
                foreach (var category in report.Categories)
                {
                    var items = report.Results.Where(r => r.Definition.Category == category.Category).ToList();
                    w.WriteStartElement("testsuite");
                    w.WriteAttributeString("name", $"{report.Engine.Name}: {category.Category.Code} {category.Category.Name}");
                    Counts(w, items, report);

                    // The overall travels with every suite (JUnit has no run-level properties), provisional while incomplete.
                    w.WriteStartElement("properties");
                    Property(w, "engine", report.Engine.Id);
                    Property(w, "gated", report.Engine.IsSubject ? "true" : "false");
                    Property(w, "overall", report.OverallText);
                    Property(w, "overall.provisional", report.Overall.Provisional ? "true" : "false");
                    Property(w, "verdict", MarkdownReport.EngineVerdict(report));
                    w.WriteEndElement();
                    foreach (var r in items)
                    {
                        Case(w, r, report);
                    }

                    w.WriteEndElement();
                }
            }

            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The bar a criterion is judged against here: its policy bar when the policy is enforced, else the rubric's.</summary>
    public static int Bar(CriterionResult r, EvaluationReport report) => report.Policy.Policy.IsEnforced ? r.PolicyBar : Rubric.Bar;

    /// <summary>A failure in junit.xml: the subject engine's criterion rated below its bar (another engine is never gated).</summary>
    public static bool IsFailure(CriterionResult r, EvaluationReport report) => report.Engine.IsSubject && r.Rating.Stars < Bar(r, report);

    private static void Counts(XmlWriter w, IReadOnlyList<CriterionResult> items, EvaluationReport report)
    {
        w.WriteAttributeString("tests", Int(items.Count));
        w.WriteAttributeString("failures", Int(items.Count(r => IsFailure(r, report))));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", Int(items.Count(r => !r.Rating.IsEvaluated)));
        w.WriteAttributeString("time", Seconds(TimeSpan.FromTicks(items.Sum(r => r.Fact.Duration?.Ticks ?? 0))));
    }

    private static void Case(XmlWriter w, CriterionResult r, EvaluationReport report)
    {
        var bar = Bar(r, report);
        w.WriteStartElement("testcase");
        w.WriteAttributeString("classname", r.Engine.IsSubject ? $"DurableEval.{r.Definition.Category.Code}" : $"DurableEval.{r.Engine.Id}.{r.Definition.Category.Code}");
        w.WriteAttributeString("name", $"{r.Definition.Id} {r.Definition.Name}");
        w.WriteAttributeString("time", Seconds(r.Fact.Duration ?? TimeSpan.Zero));
        w.WriteStartElement("properties");
        Property(w, "stars", r.Rating.Stars is { } s ? Int(s) : "none");
        Property(w, "label", r.Rating.Label);
        Property(w, "reason", r.Rating.Reason);
        Property(w, "bar", r.Engine.IsSubject ? Int(bar) : "none (not gated)");
        Property(w, "coverage", MarkdownReport.CoverageText(r.Coverage));
        Property(w, "failClose", r.FailCloseApplies ? "applies" : "no");
        w.WriteEndElement();
        if (!r.Rating.IsEvaluated)
        {
            w.WriteStartElement("skipped");
            w.WriteAttributeString("message", $"{(r.Rating.IsApplicable ? "not evaluated" : "not applicable")}: {r.Rating.Reason}");
            w.WriteEndElement();
        }
        else if (IsFailure(r, report))
        {
            w.WriteStartElement("failure");
            w.WriteAttributeString("type", "BelowBar");
            w.WriteAttributeString("message", $"rated {Int(r.Rating.Stars!.Value)} stars ({r.Rating.Label}), below its bar of {Int(bar)}: {r.Rating.Reason}");
            w.WriteString(string.Join("\n", (r.Evidence?.Checks ?? []).Where(c => c.Outcome == CheckOutcome.Failed).Select(c => $"{c.Id} ({c.Kind.ToString().ToLowerInvariant()}): {c.Detail}")));
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
