using System.Reflection;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The traits a runner filters on: derived from the catalog for each [Criterion] fact, absent from self-tests,
/// and selecting exactly the facts a user's filter names.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class TraitTests
{
    [Fact]
    public void ExecutionCriterionTraitsComeFromTheCatalog()
    {
        var traits = CriterionTraitDiscoverer.TraitsFor(Catalog.Get("EX-01"), EvaluationProfile.Default);

        Assert.Equal(
            [Pair("Suite", "Criteria"), Pair("Engine", "temporal"), Pair("Category", "EX"), Pair("Criterion", "EX-01"), Pair("FailClose", "true"), Pair("Server", "any")],
            traits);
    }

    [Fact]
    public void AnotherEnginesFactIsSelectedByItsEngineAndNeverGatesTheVerdict()
    {
        var traits = CriterionTraitDiscoverer.TraitsFor(Catalog.Get("EX-01"), EvaluationProfile.Default, Engines.DurableTask);

        Assert.Contains(Pair("Engine", "durabletask"), traits);
        Assert.Contains(Pair("FailClose", "false"), traits);
    }

    [Fact]
    public void EveryServerAFactCanUseIsATrait()
    {
        var traits = CriterionTraitDiscoverer.TraitsFor(Catalog.Get("VR-01"), EvaluationProfile.Default);

        Assert.Equal(["any", "dev", "offline"], traits.Where(t => t.Key == "Server").Select(t => t.Value).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(WorkflowDuration.Seconds, "false")]
    [InlineData(WorkflowDuration.Minutes, "true")]
    [InlineData(WorkflowDuration.Days, "true")]
    public void VersioningIsFailCloseOnlyForLongWorkflows(WorkflowDuration duration, string expected)
    {
        var traits = CriterionTraitDiscoverer.TraitsFor(Catalog.Get("VR-01"), EvaluationProfile.Default with { Duration = duration });

        Assert.Equal(expected, traits.Single(t => t.Key == "FailClose").Value);
    }

    [Fact]
    public void DefaultProfileMakesVersioningFailClose()
    {
        var traits = CriterionTraitDiscoverer.TraitsFor(Catalog.Get("VR-01"), EvaluationProfile.Default);

        Assert.Contains(Pair("FailClose", "true"), traits);
    }

    [Fact]
    public void DiscovererReadsTheIdFromTheAttribute()
    {
        var traits = new CriterionTraitDiscoverer().GetTraits(CriterionAttributeOn(nameof(KnownCriterionDummy))).ToList();

        Assert.Contains(Pair("Criterion", "RT-01"), traits);
        Assert.Contains(Pair("Category", "RT"), traits);
    }

    [Fact]
    public void UnknownIdThrowsSoTheFactFailsInsteadOfRunningUntagged()
    {
        var attribute = CriterionAttributeOn(nameof(UnknownCriterionDummy));

        var e = Assert.Throws<UnknownCriterionException>(() => new CriterionTraitDiscoverer().GetTraits(attribute).ToList());
        Assert.Equal("ZZ-99", e.CriterionId);
    }

    [Theory]
    [InlineData("Category", "EX", 7)]
    [InlineData("Criterion", "EX-03", 1)]
    [InlineData("FailClose", "true", -1)]
    [InlineData("FailClose", "false", -1)]
    [InlineData("Suite", "Criteria", -1)]
    public async Task FilterSelectsExactlyTheMatchingFacts(string trait, string value, int expectedCount)
    {
        var profile = Settings.Current.LoadProfile();
        // Temporal's facts only: another engine's facts share criterion ids and are never fail-close (their selection is tested above).
        var expected = CatalogTests.CriterionMethods()
            .Where(m => m.Engine == Engines.Temporal.Id)
            .Select(m => Catalog.Get(m.Id))
            .Where(d => trait switch
            {
                "Category" => d.Category.Code == value,
                "Criterion" => d.Id == value,
                "FailClose" => (d.IsFailClose(profile) ? "true" : "false") == value,
                _ => true,
            })
            .Select(d => d.Id)
            .Order(StringComparer.Ordinal)
            .ToList();

        // A trait filter selects a test case when any of its values for that trait equals the filter's value.
        var selected = (await InProcessDiscovery.TestCasesAsync())
            .Where(tc => tc.Traits.TryGetValue(trait, out var values) && values.Contains(value, StringComparer.OrdinalIgnoreCase))
            .Where(tc => !tc.Traits.TryGetValue("Engine", out var engines) || engines.Contains(Engines.Temporal.Id, StringComparer.Ordinal))
            .Select(tc => tc.Traits.TryGetValue("Criterion", out var ids) ? string.Join("+", ids) : tc.DisplayName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(expected, selected);
        if (expectedCount >= 0)
        {
            Assert.Equal(expectedCount, selected.Count);
        }
    }

    [Fact]
    public async Task SelfTestsCarryNoCriterionTraits()
    {
        var selfTests = (await InProcessDiscovery.TestCasesAsync())
            .Where(tc => tc.TestMethod.TestClass.Class.Name.StartsWith(typeof(TraitTests).Namespace + ".", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(selfTests, tc => tc.TestMethod.Method.Name == nameof(SelfTestsCarryNoCriterionTraits));
        Assert.All(selfTests, tc =>
        {
            Assert.False(tc.Traits.ContainsKey("Criterion"), $"{tc.DisplayName} carries a Criterion trait");
            Assert.False(tc.Traits.ContainsKey("Category"), $"{tc.DisplayName} carries a Category trait");
            Assert.Equal(["SelfTest"], tc.Traits["Suite"]);
        });
    }

    [Fact]
    public async Task EveryCriterionFactCarriesItsServerTraits()
    {
        var facts = (await InProcessDiscovery.TestCasesAsync()).Where(tc => tc.Traits.ContainsKey("Criterion")).ToList();

        Assert.Equal(CatalogTests.CriterionMethods().Count, facts.Count);
        Assert.All(facts, tc =>
        {
            var definition = Catalog.Get(Assert.Single(tc.Traits["Criterion"]));
            Assert.Equal(ServerNames(definition.Servers), tc.Traits["Server"].Order(StringComparer.Ordinal));
            Assert.Equal(["Criteria"], tc.Traits["Suite"]);
        });
    }

    // The trait names for each server need, spelled out here rather than borrowed from the renderer under test.
    private static List<string> ServerNames(ServerNeeds needs) =>
        new[]
        {
            (ServerNeeds.TimeSkipping, "time-skipping"),
            (ServerNeeds.Any, "any"),
            (ServerNeeds.Dev, "dev"),
            (ServerNeeds.Offline, "offline"),
        }
        .Where(n => needs.HasFlag(n.Item1))
        .Select(n => n.Item2)
        .Order(StringComparer.Ordinal)
        .ToList();

    private static KeyValuePair<string, string> Pair(string key, string value) => new(key, value);

    private static IAttributeInfo CriterionAttributeOn(string method)
    {
        var info = typeof(TraitTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!;
        return Reflector.Wrap(CustomAttributeData.GetCustomAttributes(info).Single(a => a.AttributeType == typeof(CriterionAttribute)));
    }

    // Private, not facts: the catalog self-test and the report read public methods only, so these never count as facts.
    [Criterion("ZZ-99")]
    private static void UnknownCriterionDummy()
    {
    }

    [Criterion("RT-01")]
    private static void KnownCriterionDummy()
    {
    }
}
