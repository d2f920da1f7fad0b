using System.Reflection;
using System.Text.RegularExpressions;
using DurableEval.Evaluation;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Reporting;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The catalog is the single source of ids, categories and fail-close rules; checked here both ways against the facts.</summary>
[Trait("Suite", "SelfTest")]
public sealed partial class CatalogTests
{
    [Fact]
    public void HoldsFiftyEightUniqueIds()
    {
        Assert.Equal(58, Catalog.All.Count);
        Assert.Equal(58, Catalog.All.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void CategoriesHoldTheDocumentedCounts()
    {
        var expected = new Dictionary<string, int>
        {
            ["EX"] = 7,
            ["RT"] = 4,
            ["WF"] = 6,
            ["SG"] = 4,
            ["VR"] = 4,
            ["CP"] = 4,
            ["PF"] = 3,
            ["OP"] = 7,
            ["OB"] = 6,
            ["DX"] = 7,
            ["AI"] = 6,
        };

        var actual = Catalog.All.GroupBy(c => c.Category.Code).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(11, Categories.All.Count);
        Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
        Assert.Equal(Categories.All.Select(c => c.Code).Order(), expected.Keys.Order());
    }

    [Fact]
    public void IdsAreWellFormedAndPrefixedByTheirCategory()
    {
        Assert.All(Catalog.All, c =>
        {
            Assert.Matches(IdPattern(), c.Id);
            Assert.Equal(c.Category.Code, c.Id[..2]);
        });
    }

    [Fact]
    public void FailCloseRulesAreTheDocumentedOnes()
    {
        var always = new[] { "EX-01", "EX-03", "RT-01", "OP-02" };
        Assert.All(Catalog.All, c =>
        {
            var expected = always.Contains(c.Id) ? FailCloseRule.Always
                : c.Id == "VR-01" ? FailCloseRule.WhenDurationAtLeastMinutes
                : FailCloseRule.None;
            Assert.True(expected == c.FailClose, $"{c.Id}: expected fail-close {expected}, catalog says {c.FailClose}");
        });
    }

    [Fact]
    public void EveryEntryIsDescribedAndRunsSomewhere()
    {
        Assert.All(Catalog.All, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Name), $"{c.Id} has no name");
            Assert.False(string.IsNullOrWhiteSpace(c.Description), $"{c.Id} has no description");
            Assert.False(string.IsNullOrWhiteSpace(c.ToRaise), $"{c.Id} has no ToRaise text");
            Assert.NotEqual(ServerNeeds.None, c.Servers);
        });
    }

    [Fact]
    public void GetOfAnUnknownIdThrowsNamingTheId()
    {
        var e = Assert.Throws<UnknownCriterionException>(() => Catalog.Get("ZZ-98"));

        Assert.Equal("ZZ-98", e.CriterionId);
        Assert.Contains("ZZ-98", e.Message, StringComparison.Ordinal);
        Assert.Null(Catalog.Find("ZZ-98"));
    }

    [Fact]
    public void EveryFactNamesACatalogCriterion()
    {
        Assert.All(CriterionMethods(), m => Assert.NotNull(Catalog.Find(m.Id)));
    }

    [Fact]
    public void NoCriterionIsNamedByTwoFacts()
    {
        var duplicates = CriterionMethods()
            .GroupBy(m => (m.Engine, m.Id))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Engine} {g.Key.Id}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}"))}")
            .ToList();

        Assert.Empty(duplicates);
    }

    [Fact]
    public void EveryFactIsASkippableFactOnACriterionFactsClassNamedForItsId()
    {
        Assert.All(CriterionMethods(), m =>
        {
            var where = $"{m.Method.DeclaringType!.Name}.{m.Method.Name}";
            Assert.True(m.Method.GetCustomAttribute<SkippableFactAttribute>() is not null, $"{where} is not a [SkippableFact]");
            Assert.True(typeof(CriterionFacts).IsAssignableFrom(m.Method.DeclaringType), $"{where} is not on a CriterionFacts class");
            Assert.StartsWith(m.Id.Replace("-", string.Empty, StringComparison.Ordinal) + "_", m.Method.Name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void EveryCriterionHasItsFact()
    {
        var ids = CriterionMethods().Where(m => m.Engine == Engines.Temporal.Id).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var published = ReportPublisher.FactsInAssembly(typeof(CatalogTests).Assembly);

        // The report and this test must agree on which criteria have facts, for every engine.
        Assert.Equal(
            CriterionMethods().Select(m => new FactKey(m.Engine, m.Id).ToString()).Distinct().Order(StringComparer.Ordinal),
            published.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        // Every category has landed: each criterion keeps its fact.
        var expected = Catalog.All.Select(c => c.Id).ToList();
        Assert.All(expected, id => Assert.Contains(id, ids));
        Assert.Equal(58, expected.Count);
    }

    /// <summary>
    /// Public methods only, as the report reads them (xUnit runs static facts too): the trait self-test keeps a
    /// private dummy [Criterion] method that must not count as a fact.
    /// </summary>
    /// <summary>
    /// Every engine's scope table lists every catalog criterion exactly once (applies, with its support, or not
    /// applicable, with why). Read from the table's source, since a repeated key in a dictionary initializer
    /// silently keeps the last entry.
    /// </summary>
    [Fact]
    public void EveryEngineScopeListsEveryCriterionExactlyOnce()
    {
        foreach (var (engine, file) in new[] { (Engines.DurableTask, "DurableTaskScope.cs"), (Engines.AgentFramework, "AgentFrameworkScope.cs") })
        {
            var source = File.ReadAllText(Path.Combine(Settings.RepositoryRoot, "DurableEval.Evaluation", "Engines", file));
            var listed = System.Text.RegularExpressions.Regex.Matches(source, @"\[""([A-Z]{2}-[0-9]{2})""\]\s*=").Select(m => m.Groups[1].Value).ToList();
            var table = EngineScope.TableOf(engine);

            Assert.Equal(Catalog.All.Select(c => c.Id).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
            Assert.Equal(Catalog.All.Select(c => c.Id).Order(StringComparer.Ordinal), table.Keys.Order(StringComparer.Ordinal));
            Assert.All(table, e => Assert.True(
                e.Value.Applies ? e.Value.Source.Length > 0 : e.Value.Reason.Length > 0,
                $"{engine.Id} {e.Key}: an entry that applies names its document; one that does not says why"));
        }
    }

    [Fact]
    public void NoFactExistsForACriterionThatDoesNotApplyToItsEngine()
    {
        var outOfScope = CriterionMethods()
            .Where(m => m.Engine != Engines.Temporal.Id && !EngineScope.For(Engines.Get(m.Engine), m.Id).Applies)
            .Select(m => $"{m.Engine} {m.Id}: {m.Method.DeclaringType!.Name}.{m.Method.Name}")
            .ToList();

        Assert.True(outOfScope.Count == 0, $"facts for criteria their engine's scope calls not applicable: {string.Join(", ", outOfScope)}");
    }

    internal static List<(string Id, string Engine, MethodInfo Method)> CriterionMethods() =>
        typeof(CatalogTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Attribute: m.GetCustomAttribute<CriterionAttribute>(), Method: m))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Attribute!.Id, x.Attribute.Engine, x.Method))
            .ToList();

    [GeneratedRegex("^[A-Z]{2}-[0-9]{2}$")]
    private static partial Regex IdPattern();
}
