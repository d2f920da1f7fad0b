using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// A loopback endpoint standing in for an OpenTelemetry collector, on one port for both OTLP transports: OTLP/HTTP
/// (a POST of a protobuf ExportMetricsServiceRequest, answered 200 with an empty body) and OTLP/gRPC (HTTP/2 with
/// prior knowledge, a length-prefixed message, answered with an empty response and grpc-status 0). Accepting both
/// lets a fact tell "the exporter sent nothing" from "it sent by the other transport", and records which it was.
/// Kestrel refuses HTTP/2 prior knowledge on a cleartext endpoint that also serves HTTP/1.1 (HTTP_1_1_REQUIRED),
/// so a small front on the public port reads each connection's first bytes and hands it to a Kestrel endpoint
/// for HTTP/1.1 or for HTTP/2 by whether they are the HTTP/2 connection preface.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    /// <summary>The gRPC method OTLP/gRPC metric exporters call.</summary>
    public const string GrpcExportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly ConcurrentQueue<OtlpRequest> requests = new();
    private readonly ConcurrentQueue<string> refused = new();
    private readonly CancellationTokenSource stopping = new();
    private WebApplication? app;
    private TcpListener? front;
    private Task? frontLoop;
    private int http1Port;
    private int http2Port;

    private OtlpReceiver()
    {
    }

    public int Port { get; private set; }

    public Uri MetricsUrl => new($"http://127.0.0.1:{Port}/v1/metrics");

    public IReadOnlyList<OtlpRequest> Requests => requests.ToArray();

    /// <summary>Requests that were not an OTLP export (wrong method, malformed gRPC frame), one line each.</summary>
    public IReadOnlyList<string> Refused => refused.ToArray();

    /// <summary>Starts the receiver on ports the operating system picks, so no other process can race for them.</summary>
    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellation = default)
    {
        var receiver = new OtlpReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? http1 = null;
        ListenOptions? http2 = null;
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http1 = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http2 = listen).Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellation);
        receiver.app = app;

        // Kestrel writes the port it bound back into each listen option.
        (receiver.http1Port, receiver.http2Port) = (http1!.IPEndPoint!.Port, http2!.IPEndPoint!.Port);
        receiver.front = new TcpListener(IPAddress.Loopback, 0);
        receiver.front.Start();
        receiver.Port = ((IPEndPoint)receiver.front.LocalEndpoint).Port;
        receiver.frontLoop = Task.Run(receiver.AcceptAsync);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        front?.Stop();
        if (frontLoop is not null)
        {
            await frontLoop;
        }

        if (app is not null)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        front?.Dispose();
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await front!.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            connections.Add(ForwardAsync(client));
        }

        await Task.WhenAll(connections);
    }

    /// <summary>Reads up to the length of the HTTP/2 preface, then pipes the connection to the matching Kestrel endpoint.</summary>
    private async Task ForwardAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var inbound = client.GetStream();
            var head = new byte[Http2Preface.Length];
            var read = 0;
            while (read < head.Length && head.AsSpan(0, read).SequenceEqual(Http2Preface.AsSpan(0, read)))
            {
                var n = await inbound.ReadAsync(head.AsMemory(read), stopping.Token);
                if (n == 0)
                {
                    return;
                }

                read += n;
            }

            var isHttp2 = head.AsSpan(0, read).SequenceEqual(Http2Preface);
            using var backend = new TcpClient();
            await backend.ConnectAsync(IPAddress.Loopback, isHttp2 ? http2Port : http1Port, stopping.Token);
            var outbound = backend.GetStream();
            await outbound.WriteAsync(head.AsMemory(0, read), stopping.Token);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            var up = inbound.CopyToAsync(outbound, linked.Token);
            var down = outbound.CopyToAsync(inbound, linked.Token);
            await Task.WhenAny(up, down);
            await linked.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A connection closed by either side, or the receiver stopping: the end of this connection.
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        var grpc = request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
        if (!HttpMethods.IsPost(request.Method))
        {
            refused.Enqueue($"{request.Protocol} {request.Method} {request.Path}");
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (!grpc)
        {
            requests.Enqueue(new OtlpRequest("http", request.Path, request.ContentType, bytes));
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/x-protobuf";
            return;
        }

        // One length-prefixed message: a compression flag byte, a 4-byte big-endian length, the protobuf message.
        if (bytes.Length < 5 || bytes[0] != 0 || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1, 4)) != bytes.Length - 5)
        {
            refused.Enqueue($"{request.Protocol} gRPC {request.Path}: {bytes.Length} bytes that are not one uncompressed message");
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "12");
            return;
        }

        requests.Enqueue(new OtlpRequest("grpc", request.Path, request.ContentType, bytes[5..]));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
    }
}
