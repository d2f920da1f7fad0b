using DurableEval.Evaluation;
using DurableEval.Tests.Criteria;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The pure functions PF and DX facts compute their numbers and verdicts with, against known answers.</summary>
[Trait("Suite", "SelfTest")]
public sealed class PerformanceStatisticsTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(50, 5.5)]
    [InlineData(95, 9.55)]
    [InlineData(99, 9.91)]
    [InlineData(100, 10)]
    public void PercentileInterpolatesBetweenRanks(double percentile, double expected)
    {
        // Shuffled on purpose: the function must sort, not trust the order it is given.
        double[] samples = [7, 3, 10, 1, 5, 9, 2, 8, 6, 4];
        Assert.Equal(expected, LatencyStatistics.Percentile(samples, percentile), 6);
    }

    [Fact]
    public void PercentileOfOneSampleIsThatSample() => Assert.Equal(42, LatencyStatistics.Percentile([42], 99));

    [Fact]
    public void PercentileRejectsNoSamplesAndOutOfRange()
    {
        Assert.Throws<ArgumentException>(() => LatencyStatistics.Percentile([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStatistics.Percentile([1], 101));
    }

    [Fact]
    public void SummaryCarriesMinAndMax()
    {
        var summary = LatencyStatistics.Summarize([4, 1, 3, 2]);
        Assert.Equal((4, 1.0, 4.0), (summary.Count, summary.Min, summary.Max));
        Assert.Equal(2.5, summary.P50, 6);
    }

    [Fact]
    public void FitRecoversAnExactLine()
    {
        // duration = 120 ms start cost + 20 ms per step, at the step counts PF-01 uses.
        var fit = LatencyStatistics.Fit([(1, 140), (5, 220), (20, 520), (50, 1120)]);
        Assert.Equal(20, fit.Slope, 6);
        Assert.Equal(120, fit.Intercept, 6);
        Assert.Equal(1, fit.RSquared, 6);
    }

    [Fact]
    public void FitOfScatteredPointsHasLowRSquared()
    {
        var fit = LatencyStatistics.Fit([(1, 500), (5, 100), (20, 600), (50, 150)]);
        Assert.True(fit.RSquared < 0.5, $"r² {fit.RSquared}");
    }

    [Fact]
    public void FitNeedsTwoDistinctX() => Assert.Throws<ArgumentException>(() => LatencyStatistics.Fit([(5, 1), (5, 2)]));

    [Fact]
    public void PitfallVerdictPassesACatalogueTheSdkCatchesAtRunTime()
    {
        CaughtBy[] outcomes = [CaughtBy.RunTime, CaughtBy.RunTime, CaughtBy.RunTime, CaughtBy.RunTime, CaughtBy.Replay];
        var verdict = PitfallVerdict.Judge(outcomes, 0.5, 0.8);
        Assert.Equal((5, 4, 1, 0, 0), (verdict.Total, verdict.RunTime, verdict.Replay, verdict.Nothing, verdict.Undetermined));
        Assert.Equal(0.8, verdict.RunTimeShare, 6);
        Assert.Equal(0.2, verdict.ReplayShare, 6);
        Assert.True(verdict.MeetsEdge);
        Assert.True(verdict.MeetsProduction);
    }

    [Fact]
    public void PitfallVerdictDoesNotCountReplayCatchesAsTheSdks()
    {
        // Four of five caught, but two only by the harness's replay: the SDK by itself caught two of five.
        CaughtBy[] outcomes = [CaughtBy.RunTime, CaughtBy.RunTime, CaughtBy.Replay, CaughtBy.Replay, CaughtBy.Nothing];
        var verdict = PitfallVerdict.Judge(outcomes, 0.5, 0.8);
        Assert.Equal(0.4, verdict.RunTimeShare, 6);
        Assert.Equal(0.4, verdict.ReplayShare, 6);
        Assert.False(verdict.MeetsEdge);
        Assert.False(verdict.MeetsProduction);
        Assert.Contains("2 more only by the harness's replay", verdict.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void PitfallVerdictFailsAMostlyUncaughtCatalogue()
    {
        CaughtBy[] outcomes = [CaughtBy.RunTime, CaughtBy.Nothing, CaughtBy.Nothing, CaughtBy.Undetermined];
        var verdict = PitfallVerdict.Judge(outcomes, 0.5, 0.8);
        Assert.Equal(0.25, verdict.RunTimeShare, 6);
        Assert.False(verdict.MeetsEdge);
        Assert.False(verdict.MeetsProduction);
        Assert.Equal(1, verdict.Undetermined);
    }

    [Fact]
    public void PitfallVerdictOfNothingMeetsNothing() => Assert.False(PitfallVerdict.Judge([], 0.5, 0.8).MeetsEdge);

    [Fact]
    public void SourceLinesSkipBlankCommentAndPreprocessorLines()
    {
        const string Source = "using X;\n\nnamespace N;\n// a comment\n/// <summary>doc</summary>\n#pragma warning disable X\npublic class C\n{\n    int f;\n}\n";
        Assert.Equal(6, SourceLines.CountCode(Source));
        Assert.Equal(4, SourceLines.CountBody(Source));
    }

    [Fact]
    public void PayloadRejectionNamesWhoRejected()
    {
        var sdk = PayloadRejection.Of(new InvalidOperationException("payload too large for the gRPC message"));
        Assert.NotNull(sdk);
        Assert.StartsWith("SDK", sdk.Rejector, StringComparison.Ordinal);
        Assert.True(sdk.NamesSize);
        Assert.False(PayloadRejection.Of(new InvalidOperationException("connection reset"))!.NamesSize);
        var exhausted = PayloadRejection.Of(new Temporalio.Exceptions.RpcException(Temporalio.Exceptions.RpcException.StatusCode.ResourceExhausted, string.Empty, null));
        Assert.True(exhausted!.NamesSize);
        Assert.StartsWith("server side", exhausted.Rejector, StringComparison.Ordinal);
        Assert.False(PayloadRejection.Of(new Temporalio.Exceptions.RpcException(Temporalio.Exceptions.RpcException.StatusCode.Unknown, string.Empty, null))!.NamesSize);
        Assert.Null(PayloadRejection.Of(null));
    }

    [Fact]
    public void EveryThresholdIsFoundByItsKeyAndPrintedAsOurs()
    {
        Assert.All(CriterionThresholds.All, t =>
        {
            Assert.Same(t, CriterionThresholds.Get(t.CriterionId, t.Name));
            Assert.Contains("DurableEval's", t.Describe(), StringComparison.Ordinal);
            Assert.NotNull(Catalog.Get(t.CriterionId));
        });
        Assert.Throws<KeyNotFoundException>(() => CriterionThresholds.Get("PF-01", "no-such"));
    }

    [Fact]
    public void MetricMethodPrintsEveryPart()
    {
        var text = new MetricMethod(117, 1, 3, "gaps", "test server 1.0", "in-memory", "slots 100").Describe();
        Assert.Equal("gaps; N=117, warm-up discarded 1, repeats 3; server test server 1.0, persistence in-memory; worker slots 100", text);
    }
}
