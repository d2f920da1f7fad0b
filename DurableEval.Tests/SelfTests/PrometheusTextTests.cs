using DurableEval.Tests.Criteria;
using Google.Protobuf;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The exposition-format parser OB-02 and OB-05 rely on, and the OTLP wire walker beside it.</summary>
[Trait("Suite", "SelfTest")]
public sealed class PrometheusTextTests
{
    private const string Scrape = """
        # HELP temporal_workflow_completed Count of successfully completed workflows
        # TYPE temporal_workflow_completed counter
        temporal_workflow_completed{namespace="default",service_name="temporal-core-sdk",task_queue="q, with \"quotes\"",workflow_type="A"} 3
        temporal_workflow_completed{namespace="default",task_queue="q2",workflow_type="B"} 2 1700000000000
        # TYPE temporal_activity_execution_latency histogram
        temporal_activity_execution_latency_bucket{activity_type="Step",le="+Inf"} 6
        temporal_activity_execution_latency_count{activity_type="Step"} 6
        temporal_activity_execution_latency_sum{activity_type="Step"} 1.5e1
        temporal_sticky_cache_size NaN
        """;

    [Fact]
    public void ReadsLabelsWithEscapesAndCommasAndSumsByLabel()
    {
        var scrape = PrometheusText.Parse(Scrape);

        Assert.Equal(6, scrape.Samples.Count);
        Assert.Equal("q, with \"quotes\"", scrape.Samples[0].Labels["task_queue"]);
        Assert.Equal(3, scrape.Sum("temporal_workflow_completed", ("workflow_type", "A")));
        Assert.Equal(5, scrape.Sum("temporal_workflow_completed"));
        Assert.Equal(0, scrape.Sum("temporal_workflow_completed", ("workflow_type", "C")));
        Assert.Equal(15, scrape.Sum("temporal_activity_execution_latency_sum"));
        Assert.Equal("+Inf", scrape.Samples[2].Labels["le"]);
        Assert.True(double.IsNaN(scrape.Named("temporal_sticky_cache_size").Single().Value));
        Assert.Equal("counter", scrape.Types["temporal_workflow_completed"]);
        Assert.Equal("Count of successfully completed workflows", scrape.Help["temporal_workflow_completed"]);
    }

    /// <summary>A substring search would find "workflow_type=\"A\"" inside another label's value; the parser does not.</summary>
    [Fact]
    public void DoesNotMatchALabelValueThatOnlyContainsTheText()
    {
        var scrape = PrometheusText.Parse("m{task_queue=\"workflow_type=\\\"A\\\"\"} 9\n");

        Assert.Equal(0, scrape.Sum("m", ("workflow_type", "A")));
        Assert.Equal("workflow_type=\"A\"", scrape.Samples.Single().Labels["task_queue"]);
    }

    [Theory]
    [InlineData("m{a=\"1\" 2")]
    [InlineData("m{a=1} 2")]
    [InlineData("m{a=\"unterminated} 2")]
    [InlineData("m 2 3 4")]
    [InlineData("m{a=\"1\"} two")]
    public void RejectsMalformedLines(string line)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(line));
    }

    [Fact]
    public void OtlpWalkerReadsNamesAttributesAndValues()
    {
        var request = Message(1, Message(2, Message(2,
            Text(1, "temporal_workflow_completed"),
            Message(7, Message(1, Message(7, Text(1, "workflow_type"), Message(2, Text(1, "A"))), SFixed64(6, 4)))),
            Message(2, Text(1, "latency"), Message(9, Message(1, Message(9, Text(1, "activity_type"), Message(2, Text(1, "Step"))), Fixed64(4, 6))))));

        var points = OtlpDecoding.Points(request);

        Assert.Equal(new[] { "latency", "temporal_workflow_completed" }, OtlpDecoding.MetricNames(request).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(4, points.Single(p => p.Metric == "temporal_workflow_completed" && p.Attributes["workflow_type"] == "A").Value);
        Assert.Equal(6, points.Single(p => p.Metric == "latency" && p.Attributes["activity_type"] == "Step").Value);
        Assert.Empty(OtlpDecoding.Points(Message(1, Message(2, Message(2, Text(1, "empty"))))));
    }

    internal static byte[] Message(int field, params byte[][] parts)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(parts.SelectMany(p => p).ToArray()));
        output.Flush();
        return stream.ToArray();
    }

    internal static byte[] Text(int field, string value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        output.Flush();
        return stream.ToArray();
    }

    internal static byte[] SFixed64(int field, long value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.Fixed64);
        output.WriteSFixed64(value);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Fixed64(int field, ulong value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(field, WireFormat.WireType.Fixed64);
        output.WriteFixed64(value);
        output.Flush();
        return stream.ToArray();
    }
}
