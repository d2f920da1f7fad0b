using System.Text.Json;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Converters;

namespace DurableEval.Workflows.Versioning;

/// <summary>
/// A custom payload converter: the default chain, with JSON replaced by an encoding that also records which
/// .NET type wrote the payload ("schema" metadata), so a reader of a history can tell schema versions apart.
/// </summary>
public sealed class SchemaTaggedPayloadConverter : DefaultPayloadConverter
{
    public SchemaTaggedPayloadConverter()
        : base(
            new BinaryNullConverter(),
            new BinaryPlainConverter(),
            new JsonProtoConverter(),
            new BinaryProtoConverter(),
            new SchemaTaggedJsonConverter(new JsonSerializerOptions()))
    {
    }

    public static DataConverter DataConverter { get; } = DataConverter.Default with { PayloadConverter = new SchemaTaggedPayloadConverter() };
}

/// <summary>JSON with encoding "json/schema-tagged" and the writer's type name in the "schema" metadata.</summary>
public sealed class SchemaTaggedJsonConverter(JsonSerializerOptions options) : IEncodingConverter
{
    public const string EncodingName = "json/schema-tagged";

    private readonly JsonPlainConverter json = new(options);

    public string Encoding => EncodingName;

    public bool TryToPayload(object? value, out Payload? payload)
    {
        if (!json.TryToPayload(value, out payload) || payload is null)
        {
            return false;
        }

        payload.Metadata["encoding"] = ByteString.CopyFromUtf8(EncodingName);
        payload.Metadata["schema"] = ByteString.CopyFromUtf8(value?.GetType().Name ?? "null");
        return true;
    }

    public object? ToValue(Payload payload, Type type) => json.ToValue(payload, type);
}
