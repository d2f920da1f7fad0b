using System.IO.Compression;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Converters;

namespace DurableEval.Workflows.Performance;

/// <summary>
/// A compressing payload codec: each payload is serialized, gzipped and wrapped with its own encoding marker,
/// as Temporal's codec samples do for encryption. Decoding leaves payloads without the marker untouched.
/// </summary>
public sealed class GzipPayloadCodec : IPayloadCodec
{
    public const string Encoding = "binary/gzip";

    private static readonly ByteString EncodingBytes = ByteString.CopyFromUtf8(Encoding);

    public Task<IReadOnlyCollection<Payload>> EncodeAsync(IReadOnlyCollection<Payload> payloads) =>
        Task.FromResult<IReadOnlyCollection<Payload>>(payloads.Select(Encode).ToList());

    public Task<IReadOnlyCollection<Payload>> DecodeAsync(IReadOnlyCollection<Payload> payloads) =>
        Task.FromResult<IReadOnlyCollection<Payload>>(payloads.Select(Decode).ToList());

    public static Payload Encode(Payload payload)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            payload.WriteTo(gzip);
        }

        return new Payload
        {
            Metadata = { ["encoding"] = EncodingBytes },
            Data = ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length),
        };
    }

    public static Payload Decode(Payload payload)
    {
        if (!payload.Metadata.TryGetValue("encoding", out var encoding) || encoding != EncodingBytes)
        {
            return payload;
        }

        using var gzip = new GZipStream(new MemoryStream(payload.Data.ToByteArray()), CompressionMode.Decompress);
        return Payload.Parser.ParseFrom(gzip);
    }
}
