using System.Globalization;

namespace DurableEval.Tests.Criteria;

/// <summary>What a rule saw between two scrapes: whether it fires and the increase that decided it.</summary>
public sealed record AlertVerdict(string Rule, bool Fires, double Increase)
{
    public override string ToString() => $"{Rule}: increase {Increase.ToString("0.###", CultureInfo.InvariantCulture)} -> {(Fires ? "FIRES" : "quiet")}";
}

/// <summary>
/// A sample alert rule in the shape Prometheus users write, <c>increase(metric{labels}[window]) &gt; threshold</c>,
/// evaluated over two scrapes taken at the ends of the window. For histograms, <see cref="AboveBucket"/> counts the
/// observations above a bucket bound (count minus the cumulative bucket), the usual "slow schedule-to-start" rule.
/// </summary>
public sealed record AlertRule(string Name, string Metric, IReadOnlyList<(string Key, string Value)> Labels, double Threshold = 0, string? AboveBucket = null)
{
    public AlertVerdict Evaluate(PrometheusScrape before, PrometheusScrape after)
    {
        var increase = Value(after) - Value(before);
        return new AlertVerdict(Name, increase > Threshold, increase);
    }

    private double Value(PrometheusScrape scrape)
    {
        var labels = Labels.ToArray();
        if (AboveBucket is null)
        {
            return scrape.Sum(Metric, labels);
        }

        var count = scrape.Sum(Metric + "_count", labels);
        var withinBound = scrape.Sum(Metric + "_bucket", [.. labels, ("le", AboveBucket)]);
        return count - withinBound;
    }
}
