using System.Globalization;

namespace DurableEval.Tests.Criteria;

/// <summary>p50/p95/p99 with min and max of one set of samples.</summary>
public sealed record LatencySummary(int Count, double P50, double P95, double P99, double Min, double Max)
{
    public string Describe(string unit = "ms") => string.Create(
        CultureInfo.InvariantCulture,
        $"N={Count} p50 {P50:0.##} / p95 {P95:0.##} / p99 {P99:0.##} {unit} (min {Min:0.##}, max {Max:0.##})");
}

/// <summary>Least-squares line y = Intercept + Slope * x, and how much of y's variance it explains.</summary>
public sealed record LinearFit(double Slope, double Intercept, double RSquared);

/// <summary>
/// The statistics PF facts report, pure so they are tested offline (SelfTests/LatencyStatisticsTests): a wrong
/// percentile or fit would silently misreport every performance number.
/// </summary>
public static class LatencyStatistics
{
    /// <summary>
    /// Percentile by linear interpolation between closest ranks (Hyndman-Fan type 7, what numpy and Excel's
    /// PERCENTILE.INC use), so small samples give stable values between observations.
    /// </summary>
    public static double Percentile(IReadOnlyList<double> samples, double percentile)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        if (percentile is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "between 0 and 100");
        }

        var sorted = samples.Order().ToArray();
        var rank = percentile / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }

    public static double Median(IReadOnlyList<double> samples) => Percentile(samples, 50);

    public static LatencySummary Summarize(IReadOnlyList<double> samples) => new(
        samples.Count, Percentile(samples, 50), Percentile(samples, 95), Percentile(samples, 99), samples.Min(), samples.Max());

    /// <summary>Ordinary least squares over (x, y) points; needs two distinct x values.</summary>
    public static LinearFit Fit(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Select(p => p.X).Distinct().Count() < 2)
        {
            throw new ArgumentException("a line needs at least two distinct x values", nameof(points));
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var sxy = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        var slope = sxy / sxx;
        var intercept = meanY - (slope * meanX);
        var total = points.Sum(p => (p.Y - meanY) * (p.Y - meanY));
        var residual = points.Sum(p => Math.Pow(p.Y - (intercept + (slope * p.X)), 2));
        var r2 = total == 0 ? 1 : 1 - (residual / total);
        return new LinearFit(slope, intercept, r2);
    }
}
