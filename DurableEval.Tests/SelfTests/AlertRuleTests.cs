using DurableEval.Tests.Criteria;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The sample alert rules OB-05 evaluates: they fire on an increase and stay quiet without one.</summary>
[Trait("Suite", "SelfTest")]
public sealed class AlertRuleTests
{
    private static readonly AlertRule Failures = new("ActivityFailures", "temporal_activity_execution_failed", [("activity_type", "Work")]);
    private static readonly AlertRule SlowStart = new("SlowScheduleToStart", "temporal_activity_schedule_to_start_latency", [("activity_type", "Work")], AboveBucket: "500");

    [Fact]
    public void CounterRuleFiresOnAnIncreaseOfItsOwnLabelsOnly()
    {
        var before = PrometheusText.Parse("temporal_activity_execution_failed{activity_type=\"Work\"} 1\n");
        var after = PrometheusText.Parse("temporal_activity_execution_failed{activity_type=\"Work\"} 3\ntemporal_activity_execution_failed{activity_type=\"Other\"} 9\n");
        var quiet = PrometheusText.Parse("temporal_activity_execution_failed{activity_type=\"Work\"} 1\ntemporal_activity_execution_failed{activity_type=\"Other\"} 9\n");

        Assert.Equal(new AlertVerdict("ActivityFailures", true, 2), Failures.Evaluate(before, after));
        Assert.False(Failures.Evaluate(before, quiet).Fires);
    }

    [Fact]
    public void CounterRuleFiresWhenTheSeriesFirstAppears()
    {
        var empty = PrometheusText.Parse(string.Empty);
        var after = PrometheusText.Parse("temporal_activity_execution_failed{activity_type=\"Work\"} 1\n");

        Assert.True(Failures.Evaluate(empty, after).Fires);
    }

    [Fact]
    public void HistogramRuleCountsOnlyObservationsAboveTheBound()
    {
        var before = PrometheusText.Parse("x_bucket{activity_type=\"Work\",le=\"500\"} 4\nx_count{activity_type=\"Work\"} 4\n".Replace("x_", "temporal_activity_schedule_to_start_latency_", StringComparison.Ordinal));
        var fast = PrometheusText.Parse("x_bucket{activity_type=\"Work\",le=\"500\"} 9\nx_count{activity_type=\"Work\"} 9\n".Replace("x_", "temporal_activity_schedule_to_start_latency_", StringComparison.Ordinal));
        var slow = PrometheusText.Parse("x_bucket{activity_type=\"Work\",le=\"500\"} 6\nx_count{activity_type=\"Work\"} 9\n".Replace("x_", "temporal_activity_schedule_to_start_latency_", StringComparison.Ordinal));

        Assert.False(SlowStart.Evaluate(before, fast).Fires);
        Assert.Equal(3, SlowStart.Evaluate(before, slow).Increase);
        Assert.True(SlowStart.Evaluate(before, slow).Fires);
    }
}
