using DurableEval.Tests.Criteria;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>RT-01's jitter finding follows the measured deviation instead of a fixed sentence.</summary>
[Trait("Suite", "SelfTest")]
public sealed class JitterFindingTests
{
    [Theory]
    [InlineData(0.042, "at most 42 ms", "applied no jitter")]
    [InlineData(0.9, "up to 900 ms", "randomises (jitters)")]
    [InlineData(double.NaN, "could not be judged", "no backoff gaps")]
    public void FindingFollowsTheMeasuredDeviation(double worstSeconds, string number, string verdict)
    {
        var finding = RetryTimeoutFacts.JitterObserved(worstSeconds);

        Assert.Contains(number, finding, StringComparison.Ordinal);
        Assert.Contains(verdict, finding, StringComparison.Ordinal);
    }
}

/// <summary>WF-06's eager-execution finding is judged from the two measured spans.</summary>
[Trait("Suite", "SelfTest")]
public sealed class EagerBypassFindingTests
{
    [Theory]
    [InlineData(300, "bypassed")]
    [InlineData(2400, "did not bypass")]
    public void FindingFollowsTheMeasuredSpan(int eagerOnMs, string verdict)
    {
        var finding = WorkflowPrimitivesFacts.EagerBypassFinding("dev server", 4, TimeSpan.FromMilliseconds(1800), TimeSpan.FromMilliseconds(2300), TimeSpan.FromMilliseconds(eagerOnMs));

        Assert.Contains(verdict, finding, StringComparison.Ordinal);
    }
}
