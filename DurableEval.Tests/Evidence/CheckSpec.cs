using DurableEval.Evaluation;

namespace DurableEval.Tests.Evidence;

/// <summary>A check a block promises to record: declared up front so a server that cannot be had still names it.</summary>
public sealed record CheckSpec(string Id, CheckKind Kind, string Description)
{
    public static CheckSpec Core(string id, string description) => new(id, CheckKind.Core, description);

    public static CheckSpec Edge(string id, string description) => new(id, CheckKind.Edge, description);

    public static CheckSpec Production(string id, string description) => new(id, CheckKind.Production, description);
}
