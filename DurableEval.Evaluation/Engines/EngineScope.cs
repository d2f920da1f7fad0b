namespace DurableEval.Evaluation;

/// <summary>
/// How a criterion stands for one engine. An applicable criterion carries the engine's support level (documented
/// fact: how much user code the feature needs there) and the document that says so; a criterion that does not
/// apply says why. "Not applicable" is a property of the engine, unlike "not evaluated", which is a property of a run.
/// </summary>
public sealed record Applicability(bool Applies, SupportLevel Support, string Source, string Reason)
{
    public static Applicability With(SupportLevel support, string source) => new(true, support, source, string.Empty);

    public static Applicability NotApplicable(string reason) => new(false, SupportLevel.Custom, string.Empty, reason);
}

/// <summary>The catalog's per-engine view: which criteria apply to which engine, with the engine's support level.</summary>
public static class EngineScope
{
    public static Applicability For(Engine engine, CriterionDefinition criterion)
    {
        if (engine.Id == Engines.Temporal.Id)
        {
            return Applicability.With(criterion.Support, "the catalog (Temporal's documentation)");
        }

        var table = TableOf(engine);
        return table.TryGetValue(criterion.Id, out var applicability)
            ? applicability
            : throw new InvalidOperationException($"{engine.Name} has no scope entry for {criterion.Id}; every criterion must be listed (applies or not applicable)");
    }

    public static Applicability For(Engine engine, string criterionId) => For(engine, Catalog.Get(criterionId));

    public static IReadOnlyDictionary<string, Applicability> TableOf(Engine engine) => engine.Id switch
    {
        "durabletask" => DurableTaskScope.Table,
        "agentframework" => AgentFrameworkScope.Table,
        _ => throw new ArgumentException($"{engine.Name} takes its scope from the catalog", nameof(engine)),
    };
}
