using System.Text.Json;
using DurableEval.Workflows.Shared;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>One checkpointed run the worker drives: its session id (the checkpoint store's key) and its number.</summary>
public sealed record CheckpointedSession(string Id, int Index);

/// <summary>
/// What a DurableEval.Worker process with --host agentframework runs: the step chains of <see cref="Sessions"/>,
/// checkpointed in <see cref="CheckpointFolder"/>. It crosses as the first line of the worker's standard input,
/// as the Temporal connection does, so the command line stays the protocol's; the model key it may carry is redacted
/// from what the worker prints, as every connection's secrets are.
/// </summary>
public sealed record AgentFrameworkWorkerSettings(string CheckpointFolder, IReadOnlyList<CheckpointedSession> Sessions, int Steps, int WorkMilliseconds) : IWorkerConnection
{
    /// <summary>
    /// Set: the runs are model calls (<see cref="ModelCallWorkflow"/>, topic = session id) to this OpenAI-compatible
    /// base address instead of step chains.
    /// </summary>
    public string? ModelEndpoint { get; init; }

    /// <summary>The model endpoint's key (the loopback endpoint checks none); here, on standard input, never on a command line.</summary>
    public string? ModelApiKey { get; init; }

    /// <summary>The checkpoint folder of one run: a store per run (the file store must not be shared between concurrent runs).</summary>
    public string FolderOf(CheckpointedSession session) => Path.Combine(CheckpointFolder, session.Id);

    public string ToJsonLine() => JsonSerializer.Serialize(this);

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ModelApiKey is { Length: >= 4 } key ? text.Replace(key, "[redacted]", StringComparison.Ordinal) : text;
    }

    public string Describe() =>
        $"{Sessions.Count} checkpointed run(s) in {CheckpointFolder}{(ModelEndpoint is null ? string.Empty : $", model calls to {ModelEndpoint}")}{(ModelApiKey is null ? string.Empty : " with a key")}";

    public static AgentFrameworkWorkerSettings Parse(string? line) =>
        string.IsNullOrWhiteSpace(line)
            ? throw new FormatException("no settings line on standard input")
            : JsonSerializer.Deserialize<AgentFrameworkWorkerSettings>(line) ?? throw new FormatException("the settings line is null");
}
