using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DurableEval.Evaluation;

/// <summary>Renders results.json: the report's data for machines, field order fixed, same input same bytes.</summary>
public static class JsonReport
{
    public static string Render(EvaluationReport report)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var w = new Utf8JsonWriter(stream, options))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", EvaluationReport.SchemaVersion);
            w.WriteString("generatedAt", report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            WriteEnvironment(w, report.Environment);
            WriteProfile(w, report.Profile);
            w.WriteStartObject("run");
            w.WriteNumber("selected", report.Selected);
            w.WriteNumber("total", report.Total);
            w.WriteBoolean("partial", report.IsPartial);
            w.WriteNumber("withoutFact", report.WithoutFact);
            w.WriteEndObject();
            WriteOverall(w, report.Overall);
            w.WriteStartArray("categories");
            foreach (var c in report.Categories)
            {
                w.WriteStartObject();
                w.WriteString("code", c.Category.Code);
                w.WriteString("name", c.Category.Name);
                w.WriteNumber("items", c.Items);
                w.WriteNumber("good", c.Good);
                w.WriteNumber("notGood", c.NotGood);
                w.WriteNumber("notEvaluated", c.NotEvaluated);
                WriteNullableNumber(w, "average", c.Average);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("criteria");
            foreach (var r in report.Results)
            {
                WriteCriterion(w, r);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteEnvironment(Utf8JsonWriter w, EnvironmentInfo environment)
    {
        w.WriteStartObject("environment");
        w.WriteString("fingerprint", environment.Fingerprint);
        w.WriteString("sdk", environment.Sdk);
        w.WriteString("servers", environment.Servers);
        w.WriteString("persistence", environment.Persistence);
        w.WriteString("isolation", environment.Isolation);
        w.WriteString("os", environment.OperatingSystem);
        w.WriteString("architecture", environment.Architecture);
        w.WriteString("dotnet", environment.DotNet);
        w.WriteEndObject();
    }

    private static void WriteProfile(Utf8JsonWriter w, EvaluationProfile profile)
    {
        w.WriteStartObject("profile");
        foreach (var (field, value) in profile.Fields)
        {
            w.WriteString(field, value);
        }

        w.WriteString("source", profile.Source);
        w.WriteEndObject();
    }

    private static void WriteOverall(Utf8JsonWriter w, OverallRating overall)
    {
        w.WriteStartObject("overall");
        WriteNullableNumber(w, "stars", overall.Stars);
        w.WriteString("label", overall.Label);
        WriteNullableNumber(w, "mean", overall.Mean);
        w.WriteBoolean("capped", overall.Capped);
        w.WriteBoolean("complete", overall.Complete);
        w.WriteString("verdict", MarkdownReport.Verdict(overall));
        WriteStrings(w, "failCloseBelowBar", overall.FailCloseBelowBar);
        WriteStrings(w, "failCloseNotEvaluated", overall.FailCloseNotEvaluated);
        WriteStrings(w, "notEvaluated", overall.LeftOut);
        w.WriteString("rule", EvaluationReport.AggregationRule);
        w.WriteEndObject();
    }

    private static void WriteCriterion(Utf8JsonWriter w, CriterionResult r)
    {
        var d = r.Definition;
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteString("name", d.Name);
        w.WriteString("category", d.Category.Code);
        w.WriteString("support", d.Support.ToString().ToLowerInvariant());
        w.WriteString("failCloseRule", MarkdownReport.RuleText(d.FailClose));
        w.WriteBoolean("failCloseApplies", r.FailCloseApplies);
        w.WriteString("servers", MarkdownReport.Servers(d.Servers));
        WriteNullableNumber(w, "stars", r.Rating.Stars);
        w.WriteString("label", r.Rating.Label);
        w.WriteString("reason", r.Rating.Reason);
        w.WriteString("coverage", MarkdownReport.CoverageText(r.Coverage));
        w.WriteStartObject("fact");
        w.WriteString("state", r.Fact.State.ToString().ToLowerInvariant());
        w.WriteString("name", r.Fact.Fact);
        w.WriteString("message", r.Fact.Message);
        w.WriteEndObject();
        if (r.Evidence is { } e)
        {
            if (e.Server is { } s)
            {
                w.WriteStartObject("server");
                w.WriteString("kind", s.Kind);
                w.WriteString("version", s.Version);
                w.WriteString("isolation", s.Isolation);
                w.WriteEndObject();
            }

            w.WriteStartArray("checks");
            foreach (var c in e.Checks)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("kind", c.Kind.ToString().ToLowerInvariant());
                w.WriteString("outcome", c.Outcome switch { CheckOutcome.Passed => "passed", CheckOutcome.Failed => "failed", _ => "not run" });
                w.WriteString("description", c.Description);
                w.WriteString("detail", c.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("metrics");
            foreach (var m in e.Metrics)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                w.WriteNumber("value", Math.Round(m.Value, 3));
                w.WriteString("unit", m.Unit);
                var anchor = MetricAnchors.Find(d.Id, m.Name);
                if (anchor is not null)
                {
                    w.WriteString("anchor", anchor);
                }

                if (m.Method is { } method)
                {
                    w.WriteStartObject("method");
                    w.WriteNumber("samples", method.Samples);
                    w.WriteNumber("warmupDiscarded", method.WarmupDiscarded);
                    w.WriteNumber("repeats", method.Repeats);
                    w.WriteString("statistic", method.Statistic);
                    w.WriteString("server", method.Server);
                    w.WriteString("persistence", method.Persistence);
                    w.WriteString("worker", method.Worker);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteStrings(w, "findings", e.Findings);
            w.WriteStartArray("citations");
            foreach (var c in e.Citations)
            {
                w.WriteStartObject();
                w.WriteString("statement", c.Statement);
                w.WriteString("source", c.Source);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteString("toRaise", d.ToRaise);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteNullableNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
