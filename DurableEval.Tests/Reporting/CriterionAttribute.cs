using Xunit.Sdk;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Names the catalog criterion a fact evaluates. Its discoverer derives the traits (Category, Criterion,
/// FailClose, Server, Suite) from the catalog, so a fact states its id once and nothing else.
/// </summary>
[TraitDiscoverer("DurableEval.Tests.Reporting.CriterionTraitDiscoverer", "DurableEval.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CriterionAttribute(string id) : Attribute, ITraitAttribute
{
    public string Id { get; } = id;
}
