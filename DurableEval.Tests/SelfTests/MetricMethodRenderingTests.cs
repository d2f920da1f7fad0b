using System.Text.Json;
using DurableEval.Evaluation;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>A metric's method is printed beside it in both renderers; metrics without one render as before (the snapshots pin that).</summary>
[Trait("Suite", "SelfTest")]
public sealed class MetricMethodRenderingTests
{
    private static readonly MetricMethod Method = new(117, 1, 3, "gaps between steps", "time-skipping test server 1.38", "in-memory", "activity slots 100");

    [Fact]
    public void MarkdownPrintsTheMethodBesideTheMetric()
    {
        var markdown = MarkdownReport.Render(Report());
        var row = markdown.Split('\n').Single(l => l.Contains("`step_regular_p50_ms`", StringComparison.Ordinal));
        Assert.Contains(Method.Describe(), row, StringComparison.Ordinal);
        Assert.Contains("| Metric | Value | Unit | Method | Published anchor |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonCarriesTheMethodAsFields()
    {
        using var document = JsonDocument.Parse(JsonReport.Render(Report()));
        var criterion = document.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "PF-01");
        var method = FindMethod(criterion);
        Assert.Equal(117, method.GetProperty("samples").GetInt32());
        Assert.Equal(1, method.GetProperty("warmupDiscarded").GetInt32());
        Assert.Equal(3, method.GetProperty("repeats").GetInt32());
        Assert.Equal("in-memory", method.GetProperty("persistence").GetString());
    }

    private static JsonElement FindMethod(JsonElement element)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name == "method")
            {
                return property.Value;
            }

            if (property.Value.ValueKind is JsonValueKind.Object)
            {
                var found = FindMethodOrDefault(property.Value);
                if (found is { } f)
                {
                    return f;
                }
            }

            if (property.Value.ValueKind is JsonValueKind.Array)
            {
                foreach (var item in property.Value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    var found = FindMethodOrDefault(item);
                    if (found is { } f)
                    {
                        return f;
                    }
                }
            }
        }

        throw new KeyNotFoundException("no method object in the PF-01 entry");
    }

    private static JsonElement? FindMethodOrDefault(JsonElement element)
    {
        try
        {
            return FindMethod(element);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    private static EvaluationReport Report()
    {
        var evidence = new CriterionEvidence(
            "PF-01",
            "PerformanceFacts.PF01_StepLatency",
            [new CheckResult("local-faster", CheckKind.Core, "local p95 below regular p95", CheckOutcome.Passed, "3 ms vs 20 ms")],
            [new Metric("step_regular_p50_ms", 19.5, "ms", Method), new Metric("plain", 1, "x")],
            [],
            [],
            new ServerInfo("time-skipping test server", "1.38", "fresh"));
        var results = Catalog.All.Select(d => d.Id == "PF-01"
            ? Assessment.Assess(d, new FactOutcome(FactState.Passed, evidence.Fact, string.Empty), evidence, EvaluationProfile.Default)
            : Assessment.Assess(d, FactOutcome.NoFact, null, EvaluationProfile.Default)).ToList();
        return EvaluationReport.Build(SyntheticEvidence.Clock, SyntheticEvidence.Environment, EvaluationProfile.Default, results);
    }
}
