using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace DurableEval.Tests.Criteria;

/// <summary>One data point an OTLP export carried: metric name, attributes, and the value (a histogram's count).</summary>
public sealed record OtlpPoint(string Metric, IReadOnlyDictionary<string, string> Attributes, double Value);

/// <summary>One export the receiver got: the transport it came by ("http" for OTLP/HTTP, "grpc" for OTLP/gRPC), its path and content type, and the protobuf ExportMetricsServiceRequest it carried.</summary>
public sealed record OtlpRequest(string Transport, string Path, string? ContentType, byte[] Body);

/// <summary>
/// Reads the metric names and data points out of an OTLP/HTTP protobuf ExportMetricsServiceRequest by walking the
/// wire format with Google.Protobuf's reader (the OTLP message classes are not published for .NET). Field numbers
/// from opentelemetry-proto: request.resource_metrics=1 > scope_metrics=2 > metrics=2 > name=1, gauge=5, sum=7,
/// histogram=9 > data_points=1 > attributes (7 for number points, 9 for histogram points), as_double=4, as_int=6,
/// histogram count=4.
/// </summary>
public static class OtlpDecoding
{
    public static IReadOnlyList<OtlpPoint> Points(byte[] request)
    {
        var points = new List<OtlpPoint>();
        foreach (var resource in Fields(request, 1))
        {
            foreach (var scope in Fields(resource, 2))
            {
                foreach (var metric in Fields(scope, 2))
                {
                    ReadMetric(metric, points);
                }
            }
        }

        return points;
    }

    public static IReadOnlySet<string> MetricNames(byte[] request)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in Fields(request, 1))
        {
            foreach (var scope in Fields(resource, 2))
            {
                foreach (var metric in Fields(scope, 2))
                {
                    names.Add(Fields(metric, 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? string.Empty);
                }
            }
        }

        return names;
    }

    private static void ReadMetric(ByteString metric, List<OtlpPoint> points)
    {
        var name = Fields(metric, 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? string.Empty;
        foreach (var body in Fields(metric, 5).Concat(Fields(metric, 7)))
        {
            foreach (var point in Fields(body, 1))
            {
                points.Add(new OtlpPoint(name, Attributes(point, 7), NumberValue(point)));
            }
        }

        foreach (var body in Fields(metric, 9))
        {
            foreach (var point in Fields(body, 1))
            {
                points.Add(new OtlpPoint(name, Attributes(point, 9), HistogramCount(point)));
            }
        }
    }

    private static Dictionary<string, string> Attributes(ByteString point, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Fields(point, field))
        {
            var key = Fields(pair, 1).Select(b => b.ToStringUtf8()).FirstOrDefault() ?? string.Empty;
            attributes[key] = Fields(pair, 2).Select(AnyValueText).FirstOrDefault() ?? string.Empty;
        }

        return attributes;
    }

    private static string AnyValueText(ByteString anyValue)
    {
        var input = anyValue.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: return input.ReadString();
                case 2: return input.ReadBool() ? "true" : "false";
                case 3: return input.ReadInt64().ToString(CultureInfo.InvariantCulture);
                case 4: return input.ReadDouble().ToString(CultureInfo.InvariantCulture);
                default: input.SkipLastField(); break;
            }
        }

        return string.Empty;
    }

    private static double NumberValue(ByteString point)
    {
        var input = point.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 4: return input.ReadDouble();
                case 6: return input.ReadSFixed64();
                default: input.SkipLastField(); break;
            }
        }

        return double.NaN;
    }

    private static double HistogramCount(ByteString point)
    {
        var input = point.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 4)
            {
                return input.ReadFixed64();
            }

            input.SkipLastField();
        }

        return double.NaN;
    }

    /// <summary>The length-delimited values of one field number, in order.</summary>
    private static IEnumerable<ByteString> Fields(byte[] message, int field) => Fields(ByteString.CopyFrom(message), field);

    private static List<ByteString> Fields(ByteString message, int field)
    {
        var found = new List<ByteString>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}

/// <summary>Free loopback TCP ports for endpoints a fact opens (Prometheus, OTLP, UI).</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
