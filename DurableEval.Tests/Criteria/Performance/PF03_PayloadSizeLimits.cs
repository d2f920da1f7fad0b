using System.Diagnostics;
using System.Globalization;
using DurableEval.Evaluation;
using Google.Protobuf;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Performance;
using Temporalio.Api.Common.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class PerformanceFacts
{
    private const int MiB = PayloadLimit.MiB;

    /// <summary>The one attempt's deadline for a start with an oversized payload (no retries).</summary>
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(20);

    /// <summary>"At once": a refusal well inside the call's deadline, so a timeout never counts as one.</summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(10);

    [SkippableFact]
    [Criterion("PF-03")]
    public async Task PF03_PayloadSizeLimits()
    {
        const string Id = "PF-03";
        const int CodecBlob = 6 * MiB;
        const int CodecRepeats = 5;
        var minCodecRate = CriterionThresholds.Get(Id, "codec_mb_per_second_min");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("codec-round-trip", "The gzip payload codec restores an 8 MiB compressible payload byte for byte and shrinks it below a quarter (6 MiB then fits under the 2 MB blob limit and the 4 MiB gRPC limit)"),
                Edge("codec-throughput", $"The codec encodes at ≥ {minCodecRate.Value.ToString(CultureInfo.InvariantCulture)} MB/s (DurableEval's threshold), median of {CodecRepeats} after a warm-up"),
            ],
            async checks =>
            {
                var payload = DataConverter.Default.PayloadConverter.ToPayload(CompressibleBlob(8 * MiB));
                var original = payload.ToByteArray();
                var codec = new GzipPayloadCodec();
                await codec.EncodeAsync([payload]);
                var encodeMs = new List<double>();
                var decodeMs = new List<double>();
                Payload encoded = payload;
                Payload decoded = payload;
                for (var i = 0; i < CodecRepeats; i++)
                {
                    var watch = Stopwatch.StartNew();
                    encoded = (await codec.EncodeAsync([payload])).Single();
                    encodeMs.Add(watch.Elapsed.TotalMilliseconds);
                    watch.Restart();
                    decoded = (await codec.DecodeAsync([encoded])).Single();
                    decodeMs.Add(watch.Elapsed.TotalMilliseconds);
                }

                var ratio = (double)encoded.CalculateSize() / original.Length;
                checks.Expect(
                    "codec-round-trip",
                    decoded.ToByteArray().AsSpan().SequenceEqual(original) && ratio < 0.25,
                    string.Create(CultureInfo.InvariantCulture, $"{original.Length} bytes encoded to {encoded.CalculateSize()} ({ratio:P2}); decoded {(decoded.ToByteArray().AsSpan().SequenceEqual(original) ? "identical" : "different")}"));
                var mb = original.Length / 1e6;
                var encodeRate = mb / (LatencyStatistics.Median(encodeMs) / 1000);
                var decodeRate = mb / (LatencyStatistics.Median(decodeMs) / 1000);
                checks.Expect("codec-throughput", encodeRate >= minCodecRate.Value, string.Create(CultureInfo.InvariantCulture, $"encode {encodeRate:0} MB/s, decode {decodeRate:0} MB/s"));
                var method = new MetricMethod(CodecRepeats, 1, CodecRepeats, $"median over repeats of an {mb:0.#} MB compressible JSON string payload, gzip Fastest (System.IO.Compression)", "none (offline)", "none", "none (in-process codec call)");
                fact.Metric("codec_encode_mb_per_second", encodeRate, "MB/s", method);
                fact.Metric("codec_decode_mb_per_second", decodeRate, "MB/s", method);
                fact.Metric("codec_compression_ratio", ratio, "", method);
            });

        // The limit a server enforces depends on the server: the blob-size limit on a dev server, a cluster or
        // Temporal Cloud; only gRPC's message limit on the time-skipping server (PayloadLimit.For).
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("under-limit-passes", "A workflow input just under the limit this server enforces (limit − 32 KiB) completes with its full length"),
                Core("over-limit-refused", "Just over that limit (limit + 32 KiB) the start is refused at once (one attempt, refused within 10 s) and no run exists under its id"),
                Core("codec-carries-oversized", $"With the compressing codec a {CodecBlob / MiB} MiB compressible input completes, while the same input without it is refused"),
                Edge("over-limit-names-size", "The refusal names the size limit (a size or limit word, or gRPC's RESOURCE_EXHAUSTED), and is not a rate-limit answer"),
            ],
            async (server, checks) =>
            {
                var limit = PayloadLimit.For(server.Kind, await ReportedBlobLimitAsync(server, checks.Cancellation));
                fact.Finding($"Limit first tried on the {ServerNames.Of(server.Kind)}: {limit.Describe()}; source {limit.Citation}.");
                var queue = server.NewTaskQueue("payload");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<PayloadSizeWorkflow>());

                // No retries: the client otherwise retries RESOURCE_EXHAUSTED for about 10 s before giving up.
                WorkflowOptions Once(string purpose)
                {
                    var options = server.Options(purpose, queue);
                    options.Rpc = new RpcOptions { Retry = false, Timeout = RefusalBound };
                    return options;
                }

                async Task<((int Length, Exception? Failure) Under, (int Length, Exception? Failure) Over, TimeSpan OverAfter, WorkflowOptions OverOptions)> UnderAndOverAsync(PayloadLimit tried)
                {
                    var underInput = new string('u', (int)tried.UnderBytes);
                    var underRun = await ResultOrFailureAsync(() => server.Client.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(underInput), Once("under")));
                    var overInput = new string('o', (int)tried.OverBytes);
                    var options = Once("over");
                    var watch = Stopwatch.StartNew();
                    var overRun = await ResultOrFailureAsync(() => server.Client.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(overInput), options));
                    return (underRun, overRun, watch.Elapsed, options);
                }

                // Just under, then just over; when the limit was only the documented default and "over" was accepted,
                // the server has no blob limit there (or a raised one), and the gRPC limit is the one to test.
                var (underResult, overResult, refusedAfter, overOptions) = await UnderAndOverAsync(limit);
                if (overResult.Failure is null && limit.IfOverAccepted() is { } next)
                {
                    fact.Finding($"The {ServerNames.Of(server.Kind)} accepted {limit.OverBytes} bytes, over Temporal's documented 2 MB blob default, and reports no limit: tested against {next.Describe()} instead.");
                    limit = next;
                    (underResult, overResult, refusedAfter, overOptions) = await UnderAndOverAsync(limit);
                }

                var under = (int)limit.UnderBytes;
                var over = (int)limit.OverBytes;
                checks.Expect(
                    "under-limit-passes",
                    underResult.Length == under,
                    underResult.Failure is null ? $"{under} characters in ({limit.Name}), {underResult.Length} counted by the workflow" : $"{under} characters ({limit.Name}): {Observe.Describe(underResult.Failure)}");
                var rejection = PayloadRejection.Of(overResult.Failure);
                var runUnderId = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle(overOptions.Id!).DescribeAsync());
                var noRun = runUnderId is Temporalio.Exceptions.RpcException { Code: Temporalio.Exceptions.RpcException.StatusCode.NotFound };
                checks.Expect(
                    "over-limit-refused",
                    rejection is not null && refusedAfter < AtOnce && noRun,
                    rejection is null
                        ? $"{over} characters accepted (result {overResult.Length}): no limit enforced"
                        : string.Create(CultureInfo.InvariantCulture, $"{over} characters {rejection.Describe()} after {refusedAfter.TotalMilliseconds:0} ms; describe of its id: {Observe.Describe(runUnderId)}"));
                checks.Expect(
                    "over-limit-names-size",
                    rejection is { NamesSize: true },
                    rejection is null ? "nothing refused" : $"{rejection.Describe()}: names the size limit {rejection.NamesSize}");
                if (rejection is not null)
                {
                    fact.Finding($"Over the {limit.Name} on the {ServerNames.Of(server.Kind)}: {rejection.Describe()}.");
                }

                var blob = CompressibleBlob(CodecBlob);
                var plain = await ResultOrFailureAsync(() => server.Client.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(blob), Once("nocodec")));
                var codecClient = new TemporalClient(server.Client.Connection, new TemporalClientOptions
                {
                    Namespace = server.Client.Options.Namespace,
                    DataConverter = DataConverter.Default with { PayloadCodec = new GzipPayloadCodec() },
                });
                var codecQueue = server.NewTaskQueue("codec");
                await using var codecWorker = RunningWorker.Start(codecClient, new TemporalWorkerOptions(codecQueue).AddWorkflow<PayloadSizeWorkflow>());
                var codecOptions = server.Options("codec", codecQueue);
                var compressed = await ResultOrFailureAsync(() => codecClient.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(blob), codecOptions));
                checks.Expect(
                    "codec-carries-oversized",
                    compressed.Length == blob.Length && plain.Failure is not null,
                    $"{blob.Length} characters: without codec {(plain.Failure is null ? $"accepted ({plain.Length})" : PayloadRejection.Of(plain.Failure)!.Describe())}; with gzip codec {(compressed.Failure is null ? $"completed, {compressed.Length} counted" : Observe.Describe(compressed.Failure))}");
            });

        // The blob-size limit itself, on a server that has one (the block above used the gRPC limit on the time-skipping server).
        await fact.LiveAsync(
            ServerNeed.Full,
            [Production("blob-limit", "On a server with a blob-size limit a payload just under it passes and one just over it fails with an error naming the size limit")],
            async (server, checks) =>
            {
                var limit = PayloadLimit.For(server.Kind, await ReportedBlobLimitAsync(server, checks.Cancellation));
                var queue = server.NewTaskQueue("blob");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<PayloadSizeWorkflow>());
                var small = (int)limit.UnderBytes;
                var large = (int)limit.OverBytes;
                var pass = await ResultOrFailureAsync(() => server.Client.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(new string('s', small)), server.Options("blob-under", queue)));
                var fail = await ResultOrFailureAsync(() => server.Client.ExecuteWorkflowAsync((PayloadSizeWorkflow w) => w.RunAsync(new string('l', large)), server.Options("blob-over", queue, TimeSpan.FromSeconds(30))));
                var rejection = PayloadRejection.Of(fail.Failure);
                if (fail.Failure is null && limit.IfOverAccepted() is not null)
                {
                    // The limit was Temporal's default, not one the server reported: a server that accepts more has
                    // no blob limit there (or a raised one), which is a configuration, not a defect.
                    checks.NotRun("blob-limit", $"this {ServerNames.Of(server.Kind)} lacks a blob-size limit at Temporal's documented 2 MB default and reports none: {large} characters were accepted");
                    return;
                }

                checks.Expect(
                    "blob-limit",
                    pass.Length == small && rejection is { NamesSize: true },
                    $"{limit.Describe()}: {small} characters: {(pass.Failure is null ? "completed" : Observe.Describe(pass.Failure))}; {large} characters: {rejection?.Describe() ?? "accepted"}");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Cite("gRPC limits each message received to 4 MB; payloads (each workflow and activity argument and result) error at 2 MB and warn at 256 KB on a self-hosted Temporal Service by default.", "https://docs.temporal.io/self-hosted-guide/defaults");
        fact.Cite("Temporal Cloud limits a payload to 2 MB and a gRPC message to 4 MB; compression in a custom payload codec is a documented remedy.", "https://docs.temporal.io/troubleshooting/blob-size-limit-error");
        fact.Conclude();
    }

    /// <summary>
    /// The blob-size limit the server reports for the namespace (DescribeNamespace's NamespaceInfo.Limits, which
    /// newer servers fill and SDKs read to fail oversized payloads early), or null when it reports none.
    /// </summary>
    private static async Task<long?> ReportedBlobLimitAsync(ServerLease server, CancellationToken cancellation)
    {
        try
        {
            var described = await server.Client.WorkflowService.DescribeNamespaceAsync(
                new Temporalio.Api.WorkflowService.V1.DescribeNamespaceRequest { Namespace = server.Client.Options.Namespace },
                new RpcOptions { CancellationToken = cancellation });
            return described.NamespaceInfo?.Limits?.BlobSizeLimitError is > 0 and var limit ? limit : null;
        }
        catch (Temporalio.Exceptions.RpcException)
        {
            // A server that cannot describe its namespace reports no limit either; the documented default applies.
            return null;
        }
    }

    /// <summary>JSON-like order lines: large but repetitive, as real business payloads are.</summary>
    private static string CompressibleBlob(int length)
    {
        var builder = new System.Text.StringBuilder(length + 64);
        for (var i = 0; builder.Length < length; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{{\"sku\":\"SKU-{i % 97}\",\"qty\":{i % 7}}},");
        }

        return builder.ToString(0, length);
    }

    private static async Task<(int Length, Exception? Failure)> ResultOrFailureAsync(Func<Task<int>> run)
    {
        try
        {
            return (await run(), null);
        }
        catch (Exception e) when (e is Temporalio.Exceptions.TemporalException or InvalidOperationException or ArgumentException or OperationCanceledException)
        {
            return (-1, e);
        }
    }
}
