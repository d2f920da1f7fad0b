using System.Globalization;
using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>Pins the derived run-level sections' exact bytes for the synthetic three-engine run, in both formats.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ComparisonSnapshotTests
{
    [Fact]
    public void Markdown() =>
        Snapshot.Verify(ComparisonMarkdown.Render(SyntheticEngines.Run()), "md", nameof(ComparisonSnapshotTests));

    [Fact]
    public void Html() =>
        Snapshot.Verify(ComparisonHtml.Render(SyntheticEngines.Run()), "html", nameof(ComparisonSnapshotTests));

    /// <summary>results.json is the source of truth: read back, the derived sections render to the same bytes (so `render` reproduces them).</summary>
    [Fact]
    public void ResultsJsonReadBackRendersTheSameSections()
    {
        var run = SyntheticEngines.Run();

        var back = ResultsReader.ParseRun(JsonReport.Render(run), "results.json");

        Assert.Equal(ComparisonMarkdown.Render(run), ComparisonMarkdown.Render(back));
        Assert.Equal(ComparisonHtml.Render(run), ComparisonHtml.Render(back));
    }

    /// <summary>Means such as 4.67 and every count print the same under a culture with a decimal comma.</summary>
    [Fact]
    public void RenderingIgnoresTheCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var german = ComparisonMarkdown.Render(SyntheticEngines.Run()) + ComparisonHtml.Render(SyntheticEngines.Run());
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Assert.Equal(ComparisonMarkdown.Render(SyntheticEngines.Run()) + ComparisonHtml.Render(SyntheticEngines.Run()), german);
            Assert.Contains("mean 4.67", german, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void SameInputSameBytes()
    {
        Assert.Equal(ComparisonMarkdown.Render(SyntheticEngines.Run()), ComparisonMarkdown.Render(SyntheticEngines.Run()));
        Assert.Equal(ComparisonHtml.Render(SyntheticEngines.Run()), ComparisonHtml.Render(SyntheticEngines.Run()));
    }
}
