using Xunit.Sdk;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Names the catalog criterion a fact evaluates. Its discoverer derives the traits (Category, Criterion,
/// FailClose, Server, Suite, Engine) from the catalog, so a fact states its id once, and its engine when the fact measures
/// an engine other than Temporal: [Criterion("EX-01", Engine = "durabletask")].
/// </summary>
[TraitDiscoverer("DurableEval.Tests.Reporting.CriterionTraitDiscoverer", "DurableEval.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CriterionAttribute(string id) : Attribute, ITraitAttribute
{
    public string Id { get; } = id;

    /// <summary>The engine the fact measures (an id from <see cref="DurableEval.Evaluation.Engines"/>); Temporal unless named.</summary>
    public string Engine { get; set; } = DurableEval.Evaluation.Engines.Temporal.Id;
}
