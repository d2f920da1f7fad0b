using System.Globalization;
using System.Text.RegularExpressions;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace DurableEval.Evaluation;

/// <summary>One chart for report.html: a title, a sentence saying what it shows, and the SVG.</summary>
public sealed record Chart(string Id, string Title, string Caption, string Svg);

/// <summary>
/// The charts a reader would rather look at than read, drawn from the report model only with OxyPlot's SVG exporter
/// (pure managed, deterministic). A chart whose metrics this run did not measure is left out, never drawn empty.
/// </summary>
public static partial class ReportCharts
{
    private const double Width = 640;
    private const double Height = 300;

    public static IReadOnlyList<Chart> For(EvaluationReport report)
    {
        var charts = new List<Chart?>
        {
            CategoryAverages(report),
            Backoff(report),
            Latency(report),
            FanOut(report),
        };
        return charts.OfType<Chart>().ToList();
    }

    private static Chart? CategoryAverages(EvaluationReport report)
    {
        var rated = report.Categories.Where(c => c.Average is not null).ToList();
        if (rated.Count == 0)
        {
            return null;
        }

        var model = Model("Average stars per category");
        // Catalog order top-down (a left category axis counts from the bottom), and room past 5 for the bar's label.
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, ItemsSource = rated.Select(c => c.Category.Code).ToList(), IsZoomEnabled = false, StartPosition = 1, EndPosition = 0 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = 5.5, MajorStep = 1, Title = "stars (evaluated criteria only)" });
        var series = new BarSeries { FillColor = OxyColor.FromRgb(0x3b, 0x6e, 0xa8), LabelFormatString = "{0:0.##}" };
        foreach (var c in rated)
        {
            series.Items.Add(new BarItem(c.Average!.Value));
        }

        model.Series.Add(series);
        return Make("chart-categories", "Category averages", "Mean stars of each category's evaluated criteria; categories with none evaluated are left out.", model);
    }

    // RT-01 records the gaps between attempt starts as <name>_<n>_s; the policy's expected gaps are published anchors.
    private static Chart? Backoff(EvaluationReport report)
    {
        var rt01 = Metrics(report, "RT-01").Where(m => GapName().IsMatch(m.Name)).ToList();
        if (rt01.Count == 0)
        {
            return null;
        }

        var model = Model("RT-01 retry gaps: measured and expected");
        // Below the plot, one line, short titles: legend widths are measured with Helvetica metrics, and a wider
        // fallback font in the browser would clip a long title inside the plot.
        model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside, LegendPosition = LegendPosition.BottomCenter, LegendOrientation = LegendOrientation.Horizontal, LegendMaxWidth = 600 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "retry", MajorStep = 1, MinorStep = 1, Minimum = 0.5 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "gap between attempt starts (s)", Minimum = 0 });
        foreach (var group in rt01.GroupBy(m => GapName().Match(m.Name).Groups["series"].Value, StringComparer.Ordinal))
        {
            var name = group.Key.Replace("_interval", string.Empty, StringComparison.Ordinal);
            var measured = new LineSeries { Title = $"{name} measured", MarkerType = MarkerType.Circle };
            var expected = new LineSeries { Title = $"{name} expected", LineStyle = LineStyle.Dash, MarkerType = MarkerType.Cross };
            foreach (var m in group.OrderBy(m => Index(m.Name)))
            {
                measured.Points.Add(new DataPoint(Index(m.Name), m.Value));
                if (MetricAnchors.Find("RT-01", m.Name)?.Value is { } value)
                {
                    expected.Points.Add(new DataPoint(Index(m.Name), value));
                }
            }

            model.Series.Add(measured);
            if (expected.Points.Count > 0)
            {
                model.Series.Add(expected);
            }
        }

        return Make("chart-backoff", "RT-01 backoff", "Gaps between attempt starts as measured, against the gaps Temporal's retry-policy formula gives for the same policy.", model);
    }

    // PF latency metrics: any PF metric in ms whose name carries a percentile (p50, p95, p99 ...).
    private static Chart? Latency(EvaluationReport report)
    {
        var points = report.Results.Where(r => r.Definition.Category.Code == "PF")
            .SelectMany(r => (r.Evidence?.Metrics ?? []).Select(m => (r.Definition.Id, Metric: m)))
            .Where(x => x.Metric.Unit == "ms" && Percentile().IsMatch(x.Metric.Name))
            .ToList();
        if (points.Count == 0)
        {
            return null;
        }

        var model = Model("PF latency percentiles");
        var labels = points.Select(p => $"{p.Id} {p.Metric.Name}").ToList();
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, ItemsSource = labels, IsZoomEnabled = false, StartPosition = 1, EndPosition = 0 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = points.Max(p => p.Metric.Value) * 1.15, Title = "ms" });
        var series = new BarSeries { FillColor = OxyColor.FromRgb(0x8a, 0x4f, 0xb0), LabelFormatString = "{0:0.#}" };
        foreach (var p in points)
        {
            series.Items.Add(new BarItem(p.Metric.Value));
        }

        model.Series.Add(series);
        return Make("chart-latency", "PF latency", "Latency percentiles the performance facts measured.", model);
    }

    // WF-03 fan-out: how many activities overlapped at peak, unbounded and bounded.
    private static Chart? FanOut(EvaluationReport report)
    {
        var peaks = Metrics(report, "WF-03").Where(m => m.Name.EndsWith("peak_concurrency", StringComparison.Ordinal)).ToList();
        if (peaks.Count == 0)
        {
            return null;
        }

        var model = Model("WF-03 fan-out overlap");
        // Short labels (peak_concurrency is the unbounded run) and headroom for the bar labels.
        var labels = peaks.Select(p => p.Name == "peak_concurrency" ? "unbounded" : p.Name.Replace("_peak_concurrency", string.Empty, StringComparison.Ordinal)).ToList();
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, ItemsSource = labels, IsZoomEnabled = false, StartPosition = 1, EndPosition = 0 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Minimum = 0, Maximum = peaks.Max(p => p.Value) * 1.15, Title = "activities running at once (peak)" });
        var series = new BarSeries { FillColor = OxyColor.FromRgb(0x2e, 0x8b, 0x57), LabelFormatString = "{0:0}" };
        foreach (var p in peaks)
        {
            series.Items.Add(new BarItem(p.Value));
        }

        model.Series.Add(series);
        return Make("chart-fanout", "WF-03 fan-out", "Peak number of activities running at the same time in the fan-out runs.", model);
    }

    private static List<Metric> Metrics(EvaluationReport report, string id) =>
        report.Results.FirstOrDefault(r => r.Definition.Id == id)?.Evidence?.Metrics.ToList() ?? [];

    private static int Index(string name) => int.Parse(GapName().Match(name).Groups["n"].Value, CultureInfo.InvariantCulture);

    private static PlotModel Model(string title) => new()
    {
        Title = title,
        TitleFontSize = 14,

        // Labels and axis numbers in invariant culture, like every other number in the report.
        Culture = CultureInfo.InvariantCulture,
        DefaultFont = "Helvetica",
        DefaultFontSize = 11,
        Background = OxyColors.White,
        PlotAreaBorderColor = OxyColor.FromRgb(0xcc, 0xcc, 0xcc),
    };

    private static Chart Make(string id, string title, string caption, PlotModel model)
    {
        var svg = SvgExporter.ExportToString(model, Width, Height, isDocument: false);
        return new Chart(id, title, caption, svg);
    }

    [GeneratedRegex(@"^(?<series>[a-z_]+)_(?<n>\d+)_s$")]
    private static partial Regex GapName();

    [GeneratedRegex(@"(^|_)p\d{2,3}(_|$)")]
    private static partial Regex Percentile();
}
