using AngleSharp.Html.Parser;
using DurableEval.Evaluation;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>report.html parsed by a real HTML parser: structure, every criterion, self-contained, charts only with data.</summary>
[Trait("Suite", "SelfTest")]
public sealed class HtmlReportTests
{
    [Fact]
    public void EveryCriterionAppearsInTheTableAndTheDetails()
    {
        var report = SyntheticEvidence.ReportWithPolicyAndBaseline();
        using var document = new HtmlParser().ParseDocument(HtmlReport.Render(report));

        var rows = document.QuerySelectorAll("#criteria tbody tr");
        Assert.Equal(Catalog.All.Select(c => c.Id), rows.Select(r => r.GetAttribute("data-criterion")));
        Assert.All(Catalog.All, c => Assert.NotNull(document.QuerySelector($"details[id='{ReportAnchors.For(Engines.Temporal, c.Id)}']")));
        Assert.Equal(MarkdownReport.EngineVerdict(report), document.QuerySelector("#verdict")!.TextContent);

        // Every row carries what the filters read, with values the filters offer.
        var categories = document.QuerySelectorAll("#f-category option").Select(o => o.GetAttribute("value")).ToHashSet();
        var statuses = document.QuerySelectorAll("#f-status option").Select(o => o.GetAttribute("value")).ToHashSet();
        Assert.All(rows, r =>
        {
            Assert.Contains(r.GetAttribute("data-category"), categories);
            Assert.Contains(r.GetAttribute("data-status"), statuses);
            Assert.Contains(r.GetAttribute("data-failclose"), new[] { "yes", "no" });
        });
        Assert.NotNull(document.QuerySelector("#f-failclose"));
    }

    [Fact]
    public void NeedsNothingFromTheNetwork()
    {
        using var document = new HtmlParser().ParseDocument(HtmlReport.Render(SyntheticEvidence.Report()));

        Assert.Empty(document.QuerySelectorAll("link, script[src], img[src], iframe, object, embed"));
        Assert.Empty(document.QuerySelectorAll("[style*='url(']"));
        Assert.DoesNotContain("@import", document.QuerySelector("style")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ChartsAreDrawnForMeasuredMetricsOnly()
    {
        using var withData = new HtmlParser().ParseDocument(HtmlReport.Render(SyntheticEvidence.Report()));
        using var without = new HtmlParser().ParseDocument(HtmlReport.Render(EvaluationReport.Build(
            SyntheticEvidence.Clock,
            SyntheticEvidence.Environment,
            EvaluationProfile.Default,
            Catalog.All.Select(d => Assessment.Assess(d, FactOutcome.NoFact, null, EvaluationProfile.Default)).ToList())));

        // The synthetic run has category averages, RT-01 gaps and WF-03 peaks but no PF latencies.
        Assert.Equal(["chart-categories", "chart-backoff", "chart-fanout"], withData.QuerySelectorAll("figure").Select(f => f.Id));
        Assert.All(withData.QuerySelectorAll("figure"), f => Assert.NotNull(f.QuerySelector("svg")));
        Assert.Empty(without.QuerySelectorAll("figure"));

        // The expected-gap series comes from the published anchors: RT-01's chart names both.
        var backoff = withData.QuerySelector("#chart-backoff")!.TextContent;
        Assert.Contains("backoff measured", backoff, StringComparison.Ordinal);
        Assert.Contains("backoff expected", backoff, StringComparison.Ordinal);
    }
}
