namespace DurableEval.Evaluation;

/// <summary>
/// A durable-execution engine the catalog is measured against. <see cref="IsSubject"/>: the engine the evaluation
/// is about (Temporal); the others are measured with the same catalog so the comparison is evidence, and only the
/// subject's ratings are gated by the policy bar.
/// </summary>
public sealed record Engine(string Id, string Name, string Sdk, bool IsSubject)
{
    public override string ToString() => Id;
}

/// <summary>The engines, in the order every table and report lists them.</summary>
public static class Engines
{
    public static Engine Temporal { get; } = new("temporal", "Temporal", "Temporalio (.NET SDK)", IsSubject: true);

    public static Engine DurableTask { get; } = new("durabletask", "Durable Task", "Microsoft.DurableTask (.NET) and the Durable Task Framework", IsSubject: false);

    public static Engine AgentFramework { get; } = new("agentframework", "Agent Framework workflows", "Microsoft.Agents.AI.Workflows", IsSubject: false);

    public static IReadOnlyList<Engine> All { get; } = [Temporal, DurableTask, AgentFramework];

    public static string Ids => string.Join(", ", All.Select(e => e.Id));

    public static Engine? Find(string id) => All.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));

    public static Engine Get(string id) =>
        Find(id) ?? throw new ArgumentException($"unknown engine '{id}'; the engines are {Ids}", nameof(id));
}
