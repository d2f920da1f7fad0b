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

    [Fact]
    public void SameInputSameBytes()
    {
        Assert.Equal(ComparisonMarkdown.Render(SyntheticEngines.Run()), ComparisonMarkdown.Render(SyntheticEngines.Run()));
        Assert.Equal(ComparisonHtml.Render(SyntheticEngines.Run()), ComparisonHtml.Render(SyntheticEngines.Run()));
    }
}
