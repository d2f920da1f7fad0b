using System.Globalization;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// Whether a second worker raises throughput, judged on repeated side-by-side runs rather than one pair of
/// wall-clock rates (which a burst of load from other processes on a shared machine flips either way): each
/// pair runs one worker and two workers back to back, and the median of the pairs' ratios must exceed the margin.
/// Pure, tested offline with passing and failing series.
/// </summary>
public static class ThroughputScaling
{
    /// <summary>One pair of measurements: items per second with one worker and with two, taken back to back.</summary>
    public sealed record Pair(double OneWorker, double TwoWorkers)
    {
        public double Ratio => OneWorker > 0 ? TwoWorkers / OneWorker : 0;
    }

    public sealed record Result(IReadOnlyList<Pair> Pairs, double MedianRatio, double Margin, bool Scales)
    {
        public string Describe()
        {
            var pairs = string.Join("; ", Pairs.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.OneWorker:0.0}, {p.TwoWorkers:0.0}, x{p.Ratio:0.00}")));
            return string.Create(
                CultureInfo.InvariantCulture,
                $"median ratio x{MedianRatio:0.00} over {Pairs.Count} pairs (must exceed x{Margin:0.00}); pairs (1 worker, 2 workers items/s, ratio): {pairs}");
        }
    }

    /// <summary>Scales when the median pair ratio exceeds <paramref name="margin"/>; no pairs never scales.</summary>
    public static Result Judge(IReadOnlyList<Pair> pairs, double margin)
    {
        if (pairs.Count == 0)
        {
            return new Result(pairs, 0, margin, false);
        }

        var ratios = pairs.Select(p => p.Ratio).Order().ToList();
        var median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[(ratios.Count / 2) - 1] + ratios[ratios.Count / 2]) / 2;
        return new Result(pairs, median, margin, median > margin);
    }
}
