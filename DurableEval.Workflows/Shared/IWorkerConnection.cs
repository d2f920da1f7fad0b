namespace DurableEval.Workflows.Shared;

/// <summary>
/// What a worker process of the kill protocol is told on its standard input, whatever engine it hosts: one JSON line
/// (it carries secrets, so never the command line), how to redact those secrets from what the worker prints, and a
/// description that names what is set and no secret value. <see cref="WorkerConnection"/> is Temporal's.
/// </summary>
public interface IWorkerConnection
{
    /// <summary>One line of JSON, the first line of the worker's standard input.</summary>
    string ToJsonLine();

    /// <summary>Replaces every secret in <paramref name="text"/>.</summary>
    string Redact(string text);

    /// <summary>What is set, without any secret value.</summary>
    string Describe();
}
