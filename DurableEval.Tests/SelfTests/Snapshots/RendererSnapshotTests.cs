using System.Text.Json;
using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>Pins both renderers' exact bytes for the synthetic evidence set; any change to the report shows here.</summary>
[Trait("Suite", "SelfTest")]
public sealed class RendererSnapshotTests
{
    [Fact]
    public void Markdown() =>
        Snapshot.Verify(MarkdownReport.Render(SyntheticEvidence.Report()), "md", nameof(RendererSnapshotTests));

    [Fact]
    public void Json() =>
        Snapshot.Verify(JsonReport.Render(SyntheticEvidence.Report()), "json", nameof(RendererSnapshotTests));

    [Fact]
    public void Junit() =>
        Snapshot.Verify(JunitReport.Render(SyntheticEvidence.Report()), "xml", nameof(RendererSnapshotTests));

    [Fact]
    public void Html() =>
        Snapshot.Verify(HtmlReport.Render(SyntheticEvidence.ReportWithPolicyAndBaseline()), "html", nameof(RendererSnapshotTests));

    [Fact]
    public void Compare() =>
        Snapshot.Verify(
            CompareReport.Markdown([new("earlier.json", SyntheticEvidence.Report(earlier: true)), new("now.json", SyntheticEvidence.Report())]),
            "md",
            nameof(RendererSnapshotTests));

    [Fact]
    public void MarkdownWithPolicyAndBaseline() =>
        Snapshot.Verify(MarkdownReport.Render(SyntheticEvidence.ReportWithPolicyAndBaseline()), "md", nameof(RendererSnapshotTests));

    [Fact]
    public void JsonWithPolicyAndBaseline() =>
        Snapshot.Verify(JsonReport.Render(SyntheticEvidence.ReportWithPolicyAndBaseline()), "json", nameof(RendererSnapshotTests));

    [Fact]
    public void SameInputSameBytes()
    {
        Assert.Equal(MarkdownReport.Render(SyntheticEvidence.Report()), MarkdownReport.Render(SyntheticEvidence.Report()));
        Assert.Equal(JsonReport.Render(SyntheticEvidence.Report()), JsonReport.Render(SyntheticEvidence.Report()));
        Assert.Equal(JunitReport.Render(SyntheticEvidence.Report()), JunitReport.Render(SyntheticEvidence.Report()));
        Assert.Equal(HtmlReport.Render(SyntheticEvidence.Report()), HtmlReport.Render(SyntheticEvidence.Report()));
    }

    /// <summary>results.json is the source of truth: read back, it renders every format to the same bytes.</summary>
    [Fact]
    public void ResultsJsonReadBackRendersTheSameBytes()
    {
        foreach (var report in new[] { SyntheticEvidence.Report(), SyntheticEvidence.ReportWithPolicyAndBaseline() with { Baseline = null } })
        {
            var json = JsonReport.Render(report);
            var back = ResultsReader.Parse(json, "results.json");
            Assert.Equal(json, JsonReport.Render(back));
            Assert.Equal(MarkdownReport.Render(report), MarkdownReport.Render(back));
            Assert.Equal(JunitReport.Render(report), JunitReport.Render(back));
            Assert.Equal(HtmlReport.Render(report), HtmlReport.Render(back));
        }
    }

    [Fact]
    public void JsonParsesAndCarriesEveryCriterion()
    {
        using var document = JsonDocument.Parse(JsonReport.Render(SyntheticEvidence.Report()));
        var root = document.RootElement;
        Assert.Equal(EvaluationReport.SchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(Catalog.All.Count, root.GetProperty("criteria").GetArrayLength());
        Assert.Equal(12, root.GetProperty("environment").GetProperty("fingerprint").GetString()!.Length);
    }

    [Fact]
    public void RenderingIgnoresTheCurrentCulture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        var previousUi = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            var german = MarkdownReport.Render(SyntheticEvidence.Report());
            var germanHtml = HtmlReport.Render(SyntheticEvidence.Report());
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
            Assert.Equal(MarkdownReport.Render(SyntheticEvidence.Report()), german);
            Assert.Equal(HtmlReport.Render(SyntheticEvidence.Report()), germanHtml);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
            System.Globalization.CultureInfo.CurrentUICulture = previousUi;
        }
    }
}
