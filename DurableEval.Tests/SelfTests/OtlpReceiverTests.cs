using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using DurableEval.Tests.Criteria;
using OpenTelemetry.Exporter;
using Xunit;
using static DurableEval.Tests.SelfTests.PrometheusTextTests;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// OB-02's OTLP receiver and its verdict, with no server: the receiver takes OpenTelemetry .NET's own exports by
/// both transports on one port (the positive control the fact runs first), and the verdict judges the SDK only
/// over a proven receiver.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class OtlpReceiverTests
{
    private const string Queue = "q-otlp";
    private static readonly string[] Names = ["temporal_workflow_completed", "custom_runs"];

    [Fact]
    public async Task OpenTelemetrysOwnExporterReachesTheReceiverByBothTransports()
    {
        await using var receiver = await OtlpReceiver.StartAsync();

        var httpSent = OtlpControl.Send(receiver, OtlpExportProtocol.HttpProtobuf, 11);
        var grpcSent = OtlpControl.Send(receiver, OtlpExportProtocol.Grpc, 12);
        Assert.True(httpSent && grpcSent, $"flushed http {httpSent} grpc {grpcSent}; requests [{string.Join("; ", receiver.Requests.Select(r => $"{r.Transport} {r.Path} {r.ContentType} {r.Body.Length}"))}]; refused [{string.Join("; ", receiver.Refused)}]");

        Assert.True(OtlpControl.Arrived(receiver.Requests, "http", 11));
        Assert.True(OtlpControl.Arrived(receiver.Requests, "grpc", 12));
        Assert.False(OtlpControl.Arrived(receiver.Requests, "http", 12));
        Assert.Equal("/v1/metrics", receiver.Requests.First(r => r.Transport == "http").Path);
        Assert.Equal(OtlpReceiver.GrpcExportPath, receiver.Requests.First(r => r.Transport == "grpc").Path);
        Assert.Empty(receiver.Refused);
    }

    [Fact]
    public async Task RawPostsAreRecordedByTheTransportTheyCameBy()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var body = Request(2);
        using var http = new HttpClient();

        using var post = new ByteArrayContent(body);
        post.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var posted = await http.PostAsync(receiver.MetricsUrl, post);

        var framed = new byte[body.Length + 5];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)body.Length);
        body.CopyTo(framed, 5);
        using var grpc = new ByteArrayContent(framed);
        grpc.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var call = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{receiver.Port}{OtlpReceiver.GrpcExportPath}"))
        {
            Content = grpc,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var called = await http.SendAsync(call);

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, called.StatusCode);
        Assert.Equal(["grpc", "http"], receiver.Requests.Select(r => r.Transport).Order(StringComparer.Ordinal));
        Assert.All(receiver.Requests, r => Assert.Equal(body, r.Body));
    }

    [Fact]
    public void SdkIsJudgedOnlyOverAProvenReceiver()
    {
        var http = new OtlpRequest("http", "/v1/metrics", "application/x-protobuf", Request(2));
        var grpc = new OtlpRequest("grpc", OtlpReceiver.GrpcExportPath, "application/grpc", Request(2));

        var honoured = Observe(true, true, http);
        Assert.True(OtlpVerdict.Export(honoured).Passed);
        Assert.True(OtlpVerdict.HttpHonoured(honoured).Passed);

        // Data arrives, but by gRPC although HTTP was configured: delivered, protocol not honoured.
        var overGrpc = Observe(true, true, grpc);
        Assert.True(OtlpVerdict.Export(overGrpc).Passed);
        Assert.False(OtlpVerdict.HttpHonoured(overGrpc).Passed);
        Assert.Contains("not honoured", OtlpVerdict.HttpHonoured(overGrpc).Evidence, StringComparison.Ordinal);

        // A gRPC arrival is not trusted for content when the gRPC control did not arrive.
        Assert.False(OtlpVerdict.Export(Observe(true, false, grpc)).Passed);

        // Proven receiver, nothing from the SDK: the SDK is at fault.
        var nothing = Observe(true, true);
        Assert.False(OtlpVerdict.Export(nothing).Passed);
        Assert.False(OtlpVerdict.HttpHonoured(nothing).Passed);

        // The wrong count fails.
        Assert.False(OtlpVerdict.Export(Observe(true, true, new OtlpRequest("http", "/v1/metrics", null, Request(1)))).Passed);

        // No control: nothing is judged.
        var unproven = Observe(false, true, http);
        Assert.Null(OtlpVerdict.Export(unproven).Passed);
        Assert.Null(OtlpVerdict.HttpHonoured(unproven).Passed);
        Assert.StartsWith("receiver not proven", OtlpVerdict.Export(unproven).Evidence, StringComparison.Ordinal);
    }

    private static OtlpObservation Observe(bool httpControl, bool grpcControl, params OtlpRequest[] sdk) => new(httpControl, grpcControl, sdk, Queue, 2, Names);

    /// <summary>An ExportMetricsServiceRequest with the workflow-completed point for the queue and a custom metric.</summary>
    private static byte[] Request(long completed) => Message(1, Message(2, Message(2,
        Text(1, "temporal_workflow_completed"),
        Message(7, Message(1, Message(7, Text(1, "task_queue"), Message(2, Text(1, Queue))), SFixed64(6, completed)))),
        Message(2, Text(1, "custom_runs"))));
}
