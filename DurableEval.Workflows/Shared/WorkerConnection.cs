using System.Text.Json;
using System.Text.Json.Serialization;
using Temporalio.Client;

namespace DurableEval.Workflows.Shared;

/// <summary>
/// How a worker process connects: exactly what the test's own client connected with (target, namespace, TLS
/// material, API key, gRPC metadata), captured from that client after Temporal's environment configuration was
/// resolved, so a worker reaches every server the client reaches. It crosses to the worker as one JSON line on
/// the worker's standard input, never on its command line, because it carries secrets. Its text form
/// (<see cref="ToString"/>, <see cref="Describe"/>) names what is set and never a value that could be secret.
/// </summary>
public sealed record WorkerConnection : IWorkerConnection
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>host:port of the frontend.</summary>
    public required string TargetHost { get; init; }

    public required string Namespace { get; init; }

    /// <summary>Sent by the SDK as "authorization: Bearer ..." on every call.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Null: plain TCP. Otherwise TLS, with the optional pieces the client had.</summary>
    public WorkerTls? Tls { get; init; }

    /// <summary>gRPC metadata (headers) the client sent on every call, e.g. from TEMPORAL_GRPC_META_*.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RpcMetadata { get; init; } = [];

    /// <summary>Binary gRPC metadata the client sent on every call.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> RpcBinaryMetadata { get; init; } = [];

    /// <summary>The settings of a connected client: its connection's current key and metadata, its namespace.</summary>
    public static WorkerConnection From(ITemporalClient client) => From(client.Connection, client.Options.Namespace);

    public static WorkerConnection From(ITemporalConnection connection, string ns)
    {
        var options = connection.Options;
        return new WorkerConnection
        {
            TargetHost = options.TargetHost ?? throw new InvalidOperationException("the client has no target host to hand to a worker process"),
            Namespace = ns,
            ApiKey = connection.ApiKey,
            Tls = options.Tls is { } tls ? WorkerTls.From(tls) : null,
            RpcMetadata = connection.RpcMetadata.ToList(),
            RpcBinaryMetadata = connection.RpcBinaryMetadata.ToList(),
        };
    }

    /// <summary>One line of JSON (no line breaks inside: PEM data travels as base64 bytes).</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <see cref="ToJsonLine"/>; throws <see cref="FormatException"/> saying what is wrong, never quoting the input.</summary>
    public static WorkerConnection Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            throw new FormatException("no connection settings: the first line of standard input must be the JSON the test writes");
        }

        try
        {
            return JsonSerializer.Deserialize<WorkerConnection>(line, Json)
                ?? throw new FormatException("the connection settings line is JSON null");
        }
        catch (JsonException e)
        {
            // The message of a JsonException may quote the input, which holds secrets; the position is enough.
            throw new FormatException($"the connection settings line is not valid JSON (at byte {e.BytePositionInLine?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})", e);
        }
    }

    /// <summary>Options for <see cref="TemporalClient.ConnectAsync"/> equal to the original client's.</summary>
    public TemporalClientConnectOptions ToConnectOptions(string identity) => new(TargetHost)
    {
        Namespace = Namespace,
        Identity = identity,
        ApiKey = ApiKey,
        Tls = Tls?.ToTlsOptions(),
        RpcMetadata = RpcMetadata.Count == 0 ? null : RpcMetadata.ToList(),
        RpcBinaryMetadata = RpcBinaryMetadata.Count == 0 ? null : RpcBinaryMetadata.ToList(),
    };

    /// <summary>Every value that must never be printed (API key, client key and certificate, metadata values), for redaction.</summary>
    public IReadOnlyList<string> Secrets() =>
        new[] { ApiKey }
            .Concat(RpcMetadata.Select(m => m.Value))
            .Concat(Tls is null ? [] : Tls.SecretTexts())
            .Where(s => !string.IsNullOrWhiteSpace(s) && s.Trim().Length >= 4)
            .Select(s => s!.Trim())
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToList();

    /// <summary>Replaces every secret (and each long line of multi-line key material) in <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        foreach (var secret in Secrets())
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
            foreach (var line in secret.Split('\n', '\r').Select(l => l.Trim()).Where(l => l.Length >= 8))
            {
                text = text.Replace(line, "[redacted]", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>What is set, without any secret value: "host:7233, namespace ns, TLS (server CA, server name x), API key, 1 metadata header (x-a)".</summary>
    public string Describe()
    {
        var parts = new List<string> { TargetHost, $"namespace {Namespace}" };
        parts.Add(Tls is null ? "no TLS" : Tls.Describe());
        parts.Add(ApiKey is null ? "no API key" : "API key");
        var headers = RpcMetadata.Select(m => m.Key).Concat(RpcBinaryMetadata.Select(m => m.Key)).ToList();
        if (headers.Count > 0)
        {
            parts.Add($"{headers.Count} metadata header(s) ({string.Join(", ", headers)})");
        }

        return string.Join(", ", parts);
    }

    // A record prints every property by default; this one must not (the key and key material).
    public override string ToString() => Describe();
}

/// <summary>The TLS half of <see cref="WorkerConnection"/>: the bytes the client had, not the paths they came from.</summary>
public sealed record WorkerTls
{
    public byte[]? ServerRootCACert { get; init; }

    /// <summary>Server name for SNI and certificate verification (TEMPORAL_TLS_SERVER_NAME).</summary>
    public string? Domain { get; init; }

    public byte[]? ClientCert { get; init; }

    public byte[]? ClientPrivateKey { get; init; }

    /// <summary>TLS options present but switched off (the SDK's <see cref="TlsOptions.Disabled"/>).</summary>
    public bool Disabled { get; init; }

    public static WorkerTls From(TlsOptions tls) => new()
    {
        Disabled = tls.Disabled,
        ServerRootCACert = tls.ServerRootCACert,
        Domain = tls.Domain,
        ClientCert = tls.ClientCert,
        ClientPrivateKey = tls.ClientPrivateKey,
    };

    public TlsOptions ToTlsOptions() => new()
    {
        Disabled = Disabled,
        ServerRootCACert = ServerRootCACert,
        Domain = Domain,
        ClientCert = ClientCert,
        ClientPrivateKey = ClientPrivateKey,
    };

    public string Describe()
    {
        var parts = new List<string>();
        if (ServerRootCACert is not null)
        {
            parts.Add("server CA");
        }

        if (Domain is not null)
        {
            parts.Add($"server name {Domain}");
        }

        if (ClientCert is not null)
        {
            parts.Add("client certificate");
        }

        if (ClientPrivateKey is not null)
        {
            parts.Add("client key");
        }

        return Disabled ? "TLS disabled" : parts.Count == 0 ? "TLS (system roots)" : $"TLS ({string.Join(", ", parts)})";
    }

    public override string ToString() => Describe();

    internal IEnumerable<string?> SecretTexts()
    {
        foreach (var bytes in new[] { ClientPrivateKey, ClientCert })
        {
            if (bytes is not null)
            {
                yield return System.Text.Encoding.UTF8.GetString(bytes);
                yield return Convert.ToBase64String(bytes);
            }
        }
    }
}
