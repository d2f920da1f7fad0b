using System.Globalization;
using System.Text;
using System.Xml;

namespace DurableEval.Evaluation;

/// <summary>
/// Renders junit.xml for CI dashboards: one test case per criterion, grouped in a suite per category. A criterion
/// below its bar is a failure, one not evaluated is skipped with its reason, and stars, label, reason, bar and
/// coverage are properties. Same input, same bytes.
/// </summary>
public static class JunitReport
{
    public static string Render(EvaluationReport report)
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
            Counts(w, report.Results, report);
            foreach (var category in report.Categories)
            {
                var items = report.Results.Where(r => r.Definition.Category == category.Category).ToList();
                w.WriteStartElement("testsuite");
                w.WriteAttributeString("name", $"{category.Category.Code} {category.Category.Name}");
                Counts(w, items, report);

                // The overall travels with every suite (JUnit has no run-level properties), provisional while incomplete.
                w.WriteStartElement("properties");
                Property(w, "overall", report.OverallText);
                Property(w, "overall.provisional", report.Overall.Provisional ? "true" : "false");
                Property(w, "verdict", MarkdownReport.Verdict(report.Overall));
                w.WriteEndElement();
                foreach (var r in items)
                {
                    Case(w, r, Bar(r, report));
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The bar a criterion is judged against here: its policy bar when the policy is enforced, else the rubric's.</summary>
    public static int Bar(CriterionResult r, EvaluationReport report) => report.Policy.Policy.IsEnforced ? r.PolicyBar : Rubric.Bar;

    private static void Counts(XmlWriter w, IReadOnlyList<CriterionResult> items, EvaluationReport report)
    {
        w.WriteAttributeString("tests", Int(items.Count));
        w.WriteAttributeString("failures", Int(items.Count(r => r.Rating.Stars < Bar(r, report))));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", Int(items.Count(r => !r.Rating.IsEvaluated)));
        w.WriteAttributeString("time", Seconds(TimeSpan.FromTicks(items.Sum(r => r.Fact.Duration?.Ticks ?? 0))));
    }

    private static void Case(XmlWriter w, CriterionResult r, int bar)
    {
        w.WriteStartElement("testcase");
        w.WriteAttributeString("classname", $"DurableEval.{r.Definition.Category.Code}");
        w.WriteAttributeString("name", $"{r.Definition.Id} {r.Definition.Name}");
        w.WriteAttributeString("time", Seconds(r.Fact.Duration ?? TimeSpan.Zero));
        w.WriteStartElement("properties");
        Property(w, "stars", r.Rating.Stars is { } s ? Int(s) : "none");
        Property(w, "label", r.Rating.Label);
        Property(w, "reason", r.Rating.Reason);
        Property(w, "bar", Int(bar));
        Property(w, "coverage", MarkdownReport.CoverageText(r.Coverage));
        Property(w, "failClose", r.FailCloseApplies ? "applies" : "no");
        w.WriteEndElement();
        if (!r.Rating.IsEvaluated)
        {
            w.WriteStartElement("skipped");
            w.WriteAttributeString("message", $"not evaluated: {r.Rating.Reason}");
            w.WriteEndElement();
        }
        else if (r.Rating.Stars < bar)
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
