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
        var engine = traitAttribute.GetNamedArgument<string>(nameof(CriterionAttribute.Engine)) ?? Engines.Temporal.Id;
        return TraitsFor(Catalog.Get(id), ProfileForTraits(), Engines.Get(engine));
    }

    public static IReadOnlyList<KeyValuePair<string, string>> TraitsFor(CriterionDefinition criterion, EvaluationProfile profile) =>
        TraitsFor(criterion, profile, Engines.Temporal);

    public static IReadOnlyList<KeyValuePair<string, string>> TraitsFor(CriterionDefinition criterion, EvaluationProfile profile, Engine engine)
    {
        var traits = new List<KeyValuePair<string, string>>
        {
            new("Suite", Suite),
            new("Engine", engine.Id),
            new("Category", criterion.Category.Code),
            new("Criterion", criterion.Id),

            // Only the subject engine's fail-close criteria gate a verdict; the others are measured for comparison.
            new("FailClose", engine.IsSubject && criterion.IsFailClose(profile) ? "true" : "false"),
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
