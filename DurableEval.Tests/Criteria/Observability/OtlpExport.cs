using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// The positive control for the OTLP receiver: OpenTelemetry .NET's own OTLP exporter sends one counter to the
/// same receiver the SDK is pointed at. Only when the control's point arrives and decodes is the receiver (and
/// the decoder) proven, so that nothing arriving from the SDK says something about the SDK, not about the harness.
/// </summary>
public static class OtlpControl
{
    public const string MetricName = "durableeval_otlp_control";

    /// <summary>Exports one counter point of <paramref name="value"/> to the receiver and flushes; true if the exporter reported success.</summary>
    public static bool Send(OtlpReceiver receiver, OtlpExportProtocol protocol, long value)
    {
        using var meter = new Meter($"DurableEval.OtlpControl.{Guid.NewGuid():N}");
        var counter = meter.CreateCounter<long>(MetricName);
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                // OTLP/HTTP takes the full signal URL; OTLP/gRPC takes the base address and calls the Export method.
                exporter.Protocol = protocol;
                exporter.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? receiver.MetricsUrl : new Uri($"http://127.0.0.1:{receiver.Port}");
                exporter.TimeoutMilliseconds = 5000;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 600_000;
            })
            .Build();
        counter.Add(value);
        return provider.ForceFlush(10_000);
    }

    /// <summary>Whether a request by this transport carried the control's point with this value.</summary>
    public static bool Arrived(IEnumerable<OtlpRequest> requests, string transport, long value) => requests
        .Where(r => r.Transport == transport)
        .SelectMany(r => OtlpDecoding.Points(r.Body))
        .Any(p => p.Metric == MetricName && p.Value == value);
}

/// <summary>What the receiver saw: whether each control arrived, and the SDK's own exports (control requests left out).</summary>
/// <param name="HttpControl">OpenTelemetry .NET's OTLP/HTTP export arrived and decoded.</param>
/// <param name="GrpcControl">OpenTelemetry .NET's OTLP/gRPC export arrived and decoded.</param>
/// <param name="Sdk">The requests that carried no control point: the SDK runtime's exports.</param>
/// <param name="Queue">The task queue the SDK's runs used; the workflow-completed point is read for it.</param>
/// <param name="Runs">Runs completed, which the workflow-completed point must equal.</param>
/// <param name="Names">Metric names that must appear (SDK and custom).</param>
public sealed record OtlpObservation(bool HttpControl, bool GrpcControl, IReadOnlyList<OtlpRequest> Sdk, string Queue, int Runs, IReadOnlyList<string> Names);

/// <summary>A judgement: Passed null means not run, with the evidence saying why.</summary>
public sealed record OtlpJudgement(bool? Passed, string Evidence);

/// <summary>
/// Judges the SDK's OTLP metric export only over a proven receiver: first whether its data arrived at all, by
/// either transport the receiver has proven it reads, then whether it arrived by the transport it was configured
/// with (OTLP/HTTP).
/// </summary>
public static class OtlpVerdict
{
    public static OtlpJudgement Export(OtlpObservation o)
    {
        if (!o.HttpControl)
        {
            return new(null, "receiver not proven: OpenTelemetry .NET's own OTLP/HTTP export to it did not arrive, so an empty receiver says nothing about the SDK");
        }

        var trusted = o.Sdk.Where(r => r.Transport == "http" || (r.Transport == "grpc" && o.GrpcControl)).ToList();
        var names = trusted.SelectMany(r => OtlpDecoding.MetricNames(r.Body)).ToHashSet(StringComparer.Ordinal);
        var completed = Completed(trusted, o.Queue);
        var missing = o.Names.Where(n => !names.Contains(n)).ToList();
        var passed = trusted.Count > 0 && missing.Count == 0 && completed == o.Runs;
        return new(
            passed,
            $"receiver proven by OpenTelemetry .NET's OTLP/HTTP{(o.GrpcControl ? " and OTLP/gRPC" : string.Empty)} export; SDK exports: {Transports(o.Sdk)}; "
                + $"{names.Count} metric names{(missing.Count == 0 ? ", all expected present" : $", missing {string.Join(", ", missing)}")}; "
                + $"workflow completed point {Num(completed)} after {o.Runs} runs"
                + (o.Sdk.Any(r => r.Transport == "grpc") && !o.GrpcControl ? "; gRPC exports not judged (the gRPC control did not arrive)" : string.Empty));
    }

    public static OtlpJudgement HttpHonoured(OtlpObservation o)
    {
        if (!o.HttpControl)
        {
            return new(null, "receiver not proven: OpenTelemetry .NET's own OTLP/HTTP export to it did not arrive");
        }

        var http = o.Sdk.Count(r => r.Transport == "http");
        var grpc = o.Sdk.Count(r => r.Transport == "grpc");
        var verdict = http > 0 && grpc == 0
            ? "Protocol = Http honoured"
            : grpc > 0 ? "Protocol = Http not honoured: the runtime exported by OTLP/gRPC" : "the runtime exported by neither transport";
        return new(http > 0 && grpc == 0, $"configured OpenTelemetryProtocol.Http; SDK exports: {Transports(o.Sdk)}; {verdict}");
    }

    private static double Completed(IEnumerable<OtlpRequest> requests, string queue) => requests
        .Select(r => OtlpDecoding.Points(r.Body)
            .Where(p => p.Metric == "temporal_workflow_completed" && p.Attributes.GetValueOrDefault("task_queue") == queue)
            .Sum(p => p.Value))
        .DefaultIfEmpty(0)
        .Max();

    private static string Transports(IReadOnlyList<OtlpRequest> requests) => requests.Count == 0
        ? "none"
        : string.Join(", ", requests.GroupBy(r => (r.Transport, r.Path)).OrderBy(g => g.Key.Transport, StringComparer.Ordinal).Select(g => $"{g.Count()} OTLP/{(g.Key.Transport == "grpc" ? "gRPC" : "HTTP")} to {g.Key.Path}"));

    private static string Num(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
