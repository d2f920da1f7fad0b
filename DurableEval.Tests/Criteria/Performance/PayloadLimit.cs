using System.Globalization;
using DurableEval.Tests.Servers;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// The payload limit a server enforces, and the sizes just under and just over it. <paramref name="UnderBytes"/>
/// and <paramref name="OverBytes"/> bracket the limit by a margin on each side of its documented range ("2 MB"
/// is 2,000,000 or 2,097,152 bytes depending on the reader), so "under" passes and "over" is refused whichever it is.
/// </summary>
public sealed record PayloadLimit(string Name, long LowBytes, long HighBytes, long UnderBytes, long OverBytes, string Source, string Citation)
{
    public const int MiB = 1024 * 1024;

    /// <summary>Room left on each side of the limit for the rest of the message (ids, metadata, encoding quotes).</summary>
    public const int Margin = 32 * 1024;

    /// <summary>Temporal's default blob-size error limit, 2 MB (self-hosted default; Temporal Cloud's fixed limit).</summary>
    public const long BlobLimitLow = 2_000_000;

    public const long BlobLimitHigh = 2L * MiB;

    /// <summary>gRPC's default maximum received message size, the only limit a server without a blob limit has.</summary>
    public const long GrpcMessageLimit = 4L * MiB;

    public const string BlobCitation = "https://docs.temporal.io/troubleshooting/blob-size-limit-error";

    public const string GrpcCitation = "https://docs.temporal.io/self-hosted-guide/defaults";

    /// <summary>
    /// The choice, pure. A limit the server reported wins. Otherwise the time-skipping test server enforces no
    /// blob limit (measured: it accepts a 4 MiB − 32 KiB input), so only gRPC's 4 MiB message limit applies there;
    /// a dev server, a self-hosted cluster and Temporal Cloud enforce the 2 MB blob limit by default; where the
    /// server does not report it (DescribeNamespace's NamespaceInfo.Limits) the documented default is used and cited.
    /// </summary>
    public static PayloadLimit For(ServerKind kind, long? reportedBlobLimit)
    {
        if (reportedBlobLimit is { } reported and > 0)
        {
            return new PayloadLimit(
                "blob-size limit", reported, reported, reported - Margin, reported + Margin,
                string.Create(CultureInfo.InvariantCulture, $"reported by the server ({reported} bytes)"), BlobCitation);
        }

        return kind == ServerKind.TimeSkipping
            ? Grpc("the time-skipping test server has no blob-size limit")
            : new PayloadLimit(
                "blob-size limit", BlobLimitLow, BlobLimitHigh, BlobLimitLow - Margin, BlobLimitHigh + Margin,
                DocumentedDefaultSource, BlobCitation);
    }

    /// <summary>
    /// The limit to try next when a payload just over this one was accepted. Only the documented default was a
    /// guess (the server reported nothing): a server that accepts more has no blob limit, or a raised one, so the
    /// next limit it must enforce is gRPC's message limit. A reported limit or the gRPC limit has no fallback:
    /// accepting a payload over it is the server not enforcing the limit it has.
    /// </summary>
    public PayloadLimit? IfOverAccepted() => Source == DocumentedDefaultSource
        ? Grpc("a payload over the documented 2 MB blob default was accepted, so this server has no blob-size limit there")
        : null;

    private const string DocumentedDefaultSource = "Temporal's documented default of 2 MB (limit.blobSize.error); the server reports no limit in DescribeNamespace";

    private static PayloadLimit Grpc(string why) => new(
        "gRPC message limit", GrpcMessageLimit, GrpcMessageLimit, GrpcMessageLimit - Margin, GrpcMessageLimit + Margin,
        $"gRPC's default 4 MiB message limit: {why}", GrpcCitation);

    public string Describe() => LowBytes == HighBytes
        ? string.Create(CultureInfo.InvariantCulture, $"{Name} of {LowBytes} bytes ({Source})")
        : string.Create(CultureInfo.InvariantCulture, $"{Name} of {LowBytes}-{HighBytes} bytes ({Source})");
}
