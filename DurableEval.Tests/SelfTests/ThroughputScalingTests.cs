using DurableEval.Tests.Criteria;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>OP-04's scaling judgement on synthetic series: a median above the margin passes, one noisy pair does not flip it.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ThroughputScalingTests
{
    [Fact]
    public void ScalesWhenTheMedianRatioExceedsTheMarginDespiteOneBadPair()
    {
        // The middle pair hit a burst of load on the two-worker side: one pair below x1, the median still x1.8.
        var result = ThroughputScaling.Judge([new(10, 18), new(10, 9), new(10, 19)], 1.2);

        Assert.True(result.Scales);
        Assert.Equal(1.8, result.MedianRatio, 6);
        Assert.Contains("median ratio x1.80 over 3 pairs", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void DoesNotScaleWhenTheMedianRatioStaysBelowTheMarginDespiteOneGoodPair()
    {
        // A second worker that adds nothing (e.g. a server that dispatches to one poller only); one lucky pair.
        var result = ThroughputScaling.Judge([new(10, 10.5), new(10, 19), new(10, 9.8)], 1.2);

        Assert.False(result.Scales);
        Assert.Equal(1.05, result.MedianRatio, 6);
    }

    [Fact]
    public void NoPairsNeverScale() => Assert.False(ThroughputScaling.Judge([], 1.2).Scales);
}
