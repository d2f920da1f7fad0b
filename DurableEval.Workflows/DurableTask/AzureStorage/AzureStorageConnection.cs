using System.Text.Json;
using DurableEval.Workflows.Shared;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// How a Durable Task worker process reaches its task hub on the Azure Storage provider: the storage connection
/// string (it may hold an account key, so it crosses on standard input, never the command line) and the task hub's
/// name. Its text form names the endpoints and whether a key is set, never the key.
/// </summary>
public sealed record AzureStorageConnection(string ConnectionString, string TaskHub) : IWorkerConnection
{
    public string ToJsonLine() => JsonSerializer.Serialize(this);

    /// <summary>Reads <see cref="ToJsonLine"/>; throws <see cref="FormatException"/> saying what is wrong, never quoting the input.</summary>
    public static AzureStorageConnection Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            throw new FormatException("no connection settings: the first line of standard input must be the JSON the test writes");
        }

        AzureStorageConnection? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<AzureStorageConnection>(line);
        }
        catch (JsonException e)
        {
            throw new FormatException("the Azure Storage connection line is not valid JSON", e);
        }

        return parsed is { ConnectionString.Length: > 0, TaskHub.Length: > 0 }
            ? parsed
            : throw new FormatException("the Azure Storage connection line needs a ConnectionString and a TaskHub");
    }

    /// <summary>The connection string's parts, split on ';' at the first '=' (values such as keys may contain '=').</summary>
    public static IReadOnlyDictionary<string, string> Parts(string connectionString) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.OrdinalIgnoreCase);

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in new[] { ConnectionString }.Concat(Parts(ConnectionString)
            .Where(p => p.Key.Contains("key", StringComparison.OrdinalIgnoreCase) || p.Key.Contains("signature", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value))
            .Where(s => s.Length >= 4)
            .OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        return text;
    }

    public string Describe()
    {
        var parts = Parts(ConnectionString);
        var endpoints = parts.Where(p => p.Key.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase)).Select(p => $"{p.Key} {p.Value}").ToList();
        var account = parts.TryGetValue("AccountName", out var name) ? $"account {name}" : parts.ContainsKey("UseDevelopmentStorage") ? "development storage" : "no account name";
        var key = parts.ContainsKey("AccountKey") ? "account key" : parts.ContainsKey("SharedAccessSignature") ? "SAS" : "no key";
        return string.Join(", ", new[] { $"task hub {TaskHub}", account }.Concat(endpoints).Append(key));
    }

    // A record prints every property by default; this one must not (the account key).
    public override string ToString() => Describe();
}
