using System.Text.Json;
using System.Text.Json.Nodes;
using DurableEval.Evaluation;
using DurableEval.Tests.SelfTests.Snapshots;
using Json.Schema;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>schemas/results.schema.json describes what the JSON renderer really writes, and rejects what it must not.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ResultsSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(Settings.RepositoryRoot, "schemas", "results.schema.json");

    [Fact]
    public void RendererOutputIsValid()
    {
        // The publisher's own composition (environment described from a fixture's stats, policy applied) as well as the synthetic sets.
        var composed = Reporting.ReportPublisher.Compose(
            Settings.FromEnvironment(new Dictionary<string, string>()), new Servers.ServerStats(), EvaluationProfile.Default, Policy.Default,
            SyntheticEvidence.Report().Results, SyntheticEvidence.Clock, TimeSpan.FromSeconds(3));
        foreach (var report in new[] { SyntheticEvidence.Report(), SyntheticEvidence.ReportWithPolicyAndBaseline(), composed })
        {
            var errors = Validate(JsonReport.Render(report));
            Assert.True(errors.Count == 0, string.Join("; ", errors));
        }
    }

    [Fact]
    public void AMultiEngineRunIsValid()
    {
        var errors = Validate(JsonReport.Render(SyntheticEvidence.MultiEngine()));

        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }

    /// <summary>A version 2 file (still read) is valid against the frozen version 2 schema, and not against version 3's.</summary>
    [Fact]
    public void AVersion2FileIsValidAgainstTheVersion2Schema()
    {
        var v2 = File.ReadAllText(Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "SelfTests", "Fixtures", "results.v2.json"));

        var errors = Validate(v2, Path.Combine(Settings.RepositoryRoot, "schemas", "results.v2.schema.json"));

        Assert.True(errors.Count == 0, string.Join("; ", errors));
        Assert.NotEmpty(Validate(v2));
    }

    [Fact]
    public void AnotherEngineClaimingToBeTheSubjectIsRejected()
    {
        var json = JsonNode.Parse(JsonReport.Render(SyntheticEvidence.MultiEngine()))!.AsObject();
        json["otherEngines"]![0]!["engine"]!["subject"] = true;

        Assert.NotEmpty(Validate(json.ToJsonString()));
    }

    [Fact]
    public void SchemaPinsTheCurrentSchemaVersion()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(SchemaPath));

        Assert.Equal(EvaluationReport.SchemaVersion, schema.RootElement.GetProperty("properties").GetProperty("schemaVersion").GetProperty("const").GetInt32());
    }

    [Theory]
    [InlineData("schemaVersion", "1")]
    [InlineData("policy", "null")]
    [InlineData("overall", "{}")]
    public void OutputWithABrokenFieldIsRejected(string field, string value)
    {
        var json = JsonNode.Parse(JsonReport.Render(SyntheticEvidence.Report()))!.AsObject();
        json[field] = JsonNode.Parse(value);

        Assert.NotEmpty(Validate(json.ToJsonString()));
    }

    [Fact]
    public void AStarRatingOutOfRangeIsRejected()
    {
        var json = JsonNode.Parse(JsonReport.Render(SyntheticEvidence.Report()))!.AsObject();
        json["criteria"]![0]!["stars"] = 7;

        Assert.NotEmpty(Validate(json.ToJsonString()));
    }

    private static List<string> Validate(string json, string? schemaPath = null)
    {
        // A registry per build: the schema's $id would otherwise be registered twice across tests.
        var schema = JsonSchema.FromText(File.ReadAllText(schemaPath ?? SchemaPath), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}").ToList();
    }
}
