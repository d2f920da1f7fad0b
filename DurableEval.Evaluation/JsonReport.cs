using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DurableEval.Evaluation;

/// <summary>
/// Renders results.json: the report's data for machines, field order fixed, same input same bytes. Version 3 keeps
/// one file per run: the root is the subject engine's report as in version 2, plus "engine", and the run-wide parts
/// (environment, profile, cost, policy, baseline); "otherEngines" holds each other engine's report (engine, run,
/// overall, notRunReasons, categories, criteria) in the same shape, so a reader of version 2 still finds the
/// subject where it was, and nothing is written twice.
/// </summary>
public static class JsonReport
{
    public static string Render(EvaluationReport report) => Render(RunReport.Single(report));

    public static string Render(RunReport run)
    {
        var report = run.Subject;
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var w = new Utf8JsonWriter(stream, options))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", EvaluationReport.SchemaVersion);
            w.WriteString("generatedAt", Timestamp(report.GeneratedAt));
            WriteEngine(w, report.Engine);
            WriteEnvironment(w, report.Environment);
            WriteProfile(w, report.Profile);
            WriteRun(w, report);
            WriteOverall(w, report);
            WriteCost(w, report);
            WritePolicy(w, report.Policy);
            WriteBaseline(w, report.Baseline);
            WriteResults(w, report);
            w.WriteStartArray("otherEngines");
            foreach (var other in run.Others)
            {
                w.WriteStartObject();
                WriteEngine(w, other.Engine);
                WriteRun(w, other);
                WriteOverall(w, other);
                WriteResults(w, other);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteEngine(Utf8JsonWriter w, Engine engine)
    {
        w.WriteStartObject("engine");
        w.WriteString("id", engine.Id);
        w.WriteString("name", engine.Name);
        w.WriteString("sdk", engine.Sdk);
        w.WriteBoolean("subject", engine.IsSubject);
        w.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter w, EvaluationReport report)
    {
        w.WriteStartObject("run");
        w.WriteNumber("selected", report.Selected);
        w.WriteNumber("total", report.Total);
        w.WriteBoolean("partial", report.IsPartial);
        w.WriteNumber("withoutFact", report.WithoutFact);
        w.WriteNumber("notApplicable", report.NotApplicable);
        w.WriteEndObject();
    }

    // notRunReasons, categories and criteria: an engine's results, in the order version 2 wrote them.
    private static void WriteResults(Utf8JsonWriter w, EvaluationReport report)
    {
        w.WriteStartArray("notRunReasons");
        foreach (var reason in report.SharedReasons)
        {
            w.WriteStartObject();
            w.WriteString("key", reason.Key);
            w.WriteString("text", reason.Text);
            w.WriteNumber("checks", reason.Checks);
            WriteStrings(w, "criteria", reason.Criteria);
            w.WriteEndObject();
        }

        w.WriteEndArray();
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
            w.WriteNumber("notApplicable", c.NotApplicable);
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
        w.WriteStartObject("engineSdks");
        foreach (var (engine, sdk) in environment.EngineSdks)
        {
            w.WriteString(engine, sdk);
        }

        w.WriteEndObject();
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

    private static void WriteOverall(Utf8JsonWriter w, EvaluationReport report)
    {
        var overall = report.Overall;
        w.WriteStartObject("overall");
        WriteNullableNumber(w, "stars", overall.Stars);
        w.WriteString("label", overall.Label);
        WriteNullableNumber(w, "mean", overall.Mean);
        w.WriteBoolean("capped", overall.Capped);
        w.WriteBoolean("complete", overall.Complete);
        w.WriteBoolean("provisional", overall.Provisional);
        w.WriteString("display", report.OverallText);
        w.WriteString("verdict", MarkdownReport.Verdict(overall));
        WriteStrings(w, "failCloseBelowBar", overall.FailCloseBelowBar);
        WriteStrings(w, "failCloseNotEvaluated", overall.FailCloseNotEvaluated);
        WriteStrings(w, "notEvaluated", overall.LeftOut);
        WriteStrings(w, "notApplicable", overall.NotApplicable);
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
        w.WriteString("support", r.Rating.IsApplicable ? r.Support.ToString().ToLowerInvariant() : NotApplicableSupport);
        w.WriteString("failCloseRule", MarkdownReport.RuleText(d.FailClose));
        w.WriteBoolean("failCloseApplies", r.FailCloseApplies);
        w.WriteString("servers", MarkdownReport.Servers(d.Servers));
        WriteNullableNumber(w, "stars", r.Rating.Stars);
        w.WriteString("label", r.Rating.Label);
        w.WriteString("reason", r.Rating.Reason);
        w.WriteString("coverage", MarkdownReport.CoverageText(r.Coverage));
        w.WriteNumber("policyBar", r.PolicyBar);
        w.WriteStartObject("fact");
        w.WriteString("state", r.Fact.State.ToString().ToLowerInvariant());
        w.WriteString("name", r.Fact.Fact);
        w.WriteString("message", r.Fact.Message);
        WriteNullableNumber(w, "durationMs", r.Fact.Duration?.TotalMilliseconds);
        w.WriteEndObject();
        if (r.Evidence is { } e)
        {
            if (e.Server is { } s)
            {
                w.WritePropertyName("server");
                WriteServer(w, s);
            }

            w.WriteStartArray("serversUsed");
            foreach (var used in e.ServersUsed)
            {
                WriteServer(w, used);
            }

            w.WriteEndArray();
            w.WriteStartArray("checks");
            foreach (var c in e.Checks)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("kind", c.Kind.ToString().ToLowerInvariant());
                w.WriteString("outcome", OutcomeName(c.Outcome));
                w.WriteString("description", c.Description);
                w.WriteString("detail", c.Detail);
                if (c.Server is { } cs)
                {
                    w.WritePropertyName("server");
                    WriteServer(w, cs);
                }
                else
                {
                    w.WriteNull("server");
                }

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
                if (MetricAnchors.Find(d.Id, m.Name) is { } anchor)
                {
                    w.WriteStartObject("publishedAnchor");
                    w.WriteString("figure", anchor.Figure);
                    w.WriteString("source", anchor.Source);
                    WriteNullableNumber(w, "value", anchor.Value);
                    w.WriteEndObject();
                }

                if (MetricAnchors.FindReference(d.Id, m.Name) is { } reference)
                {
                    w.WriteStartObject("referenceFigure");
                    w.WriteString("figure", reference.Figure);
                    w.WriteString("measuredOn", reference.MeasuredOn);
                    w.WriteString("label", MetricAnchors.ReferenceLabel);
                    w.WriteEndObject();
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

    /// <summary>A criterion's "support" when it does not apply to the engine: no support level is claimed.</summary>
    public const string NotApplicableSupport = "not applicable";

    internal static string OutcomeName(CheckOutcome outcome) =>
        outcome switch { CheckOutcome.Passed => "passed", CheckOutcome.Failed => "failed", _ => "not run" };

    private static void WriteServer(Utf8JsonWriter w, ServerInfo s)
    {
        w.WriteStartObject();
        w.WriteString("kind", s.Kind);
        w.WriteString("version", s.Version);
        w.WriteString("isolation", s.Isolation);
        w.WriteEndObject();
    }

    private static void WriteCost(Utf8JsonWriter w, EvaluationReport report)
    {
        w.WriteStartObject("cost");
        WriteNullableNumber(w, "wallTimeMs", report.Cost.WallTime?.TotalMilliseconds);
        w.WriteNumber("serverStarts", report.Cost.ServerStarts);
        w.WriteNumber("serverStartMs", Math.Round(report.Cost.ServerStartTotal.TotalMilliseconds, 3));
        w.WriteNumber("lanes", report.Cost.LaneCount);
        w.WriteNumber("serverWaitMs", Math.Round(report.Cost.ServerWaitTotal.TotalMilliseconds, 3));
        w.WriteNumber("preStartedTaken", report.Cost.PreStartedTaken);
        w.WriteNumber("preStartedUnused", report.Cost.PreStartedUnused);
        w.WriteStartArray("laneRuns");
        foreach (var lane in report.Cost.Lanes)
        {
            w.WriteStartObject();
            w.WriteString("lane", lane.Lane);
            w.WriteNumber("startMs", Math.Round(lane.Start.TotalMilliseconds, 3));
            w.WriteNumber("endMs", Math.Round(lane.End.TotalMilliseconds, 3));
            w.WriteStartArray("criteria");
            foreach (var id in lane.Criteria)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (var (category, duration, facts) in report.CategoryDurations)
        {
            w.WriteStartObject();
            w.WriteString("code", category.Code);
            w.WriteNumber("factMs", Math.Round(duration.TotalMilliseconds, 3));
            w.WriteNumber("facts", facts);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WritePolicy(Utf8JsonWriter w, PolicyOutcome outcome)
    {
        var p = outcome.Policy;
        w.WriteStartObject("policy");
        w.WriteString("mode", p.Mode.ToString().ToLowerInvariant());
        w.WriteNumber("minStars", p.MinStars);
        WriteBars(w, "categories", p.Categories);
        WriteBars(w, "criteria", p.Criteria);
        w.WriteBoolean("failOnRegression", p.FailOnRegression);
        w.WriteString("source", p.Source);
        w.WriteBoolean("fails", outcome.Fails);
        w.WriteStartArray("violations");
        foreach (var v in outcome.Violations)
        {
            w.WriteStartObject();
            w.WriteString("criterion", v.Criterion);
            w.WriteString("what", v.What);
            w.WriteBoolean("regression", v.IsRegression);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteBars(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, int> bars)
    {
        w.WriteStartObject(name);
        foreach (var (key, stars) in bars.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(key, stars);
        }

        w.WriteEndObject();
    }

    private static void WriteBaseline(Utf8JsonWriter w, BaselineDiff? diff)
    {
        if (diff is null)
        {
            w.WriteNull("baseline");
            return;
        }

        w.WriteStartObject("baseline");
        w.WriteString("source", diff.Source);
        w.WriteString("generatedAt", Timestamp(diff.BaselineGeneratedAt));
        w.WriteStartArray("stars");
        foreach (var c in diff.Stars)
        {
            w.WriteStartObject();
            w.WriteString("criterion", c.Criterion);
            WriteNullableNumber(w, "before", c.Before);
            WriteNullableNumber(w, "after", c.After);
            w.WriteBoolean("regression", c.IsRegression);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("checks");
        foreach (var c in diff.Checks)
        {
            w.WriteStartObject();
            w.WriteString("criterion", c.Criterion);
            w.WriteString("check", c.Check);
            w.WriteString("before", OutcomeName(c.Before));
            w.WriteString("after", OutcomeName(c.After));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("metrics");
        foreach (var m in diff.Metrics)
        {
            w.WriteStartObject();
            w.WriteString("criterion", m.Criterion);
            w.WriteString("metric", m.Metric);
            w.WriteNumber("before", Math.Round(m.Before, 3));
            w.WriteNumber("after", Math.Round(m.After, 3));
            w.WriteString("unit", m.Unit);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("metricRule", BaselineDiff.MetricRule);
        w.WriteEndObject();
    }

    internal static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

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
