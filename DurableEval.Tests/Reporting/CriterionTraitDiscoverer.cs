using DurableEval.Evaluation;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.Reporting;

/// <summary>Turns [Criterion("EX-01")] into filterable traits; an id missing from the catalog throws, failing the fact.</summary>
public sealed class CriterionTraitDiscoverer : ITraitDiscoverer
{
    public const string Suite = "Criteria";

    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        var id = traitAttribute.GetConstructorArguments().FirstOrDefault() as string ?? string.Empty;
        return TraitsFor(Catalog.Get(id), ProfileForTraits());
    }

    public static IReadOnlyList<KeyValuePair<string, string>> TraitsFor(CriterionDefinition criterion, EvaluationProfile profile)
    {
        var traits = new List<KeyValuePair<string, string>>
        {
            new("Suite", Suite),
            new("Category", criterion.Category.Code),
            new("Criterion", criterion.Id),
            new("FailClose", criterion.IsFailClose(profile) ? "true" : "false"),
        };
        foreach (var server in MarkdownReport.Servers(criterion.Servers).Split(", "))
        {
            traits.Add(new("Server", server));
        }

        return traits;
    }

    // A broken profile or setting must not break discovery (a filter would then match nothing, silently); the
    // configuration check names the broken field and fails the run instead (ConfigurationCheck).
    private static EvaluationProfile ProfileForTraits()
    {
        try
        {
            return Settings.Current.LoadProfile();
        }
        catch (Exception e) when (e is ProfileException or InvalidOperationException)
        {
            return EvaluationProfile.Default;
        }
    }
}
