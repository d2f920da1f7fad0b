using System.Text.RegularExpressions;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Five stars need evidence above core (Rubric.AboveCoreRule), so every criterion's fact must declare at least one
/// edge or production check — one it records as "not run" with its reason where that level cannot be observed.
/// Checks are declared in the fact's source (CheckSpec.Edge / CheckSpec.Production) and recorded only when the fact
/// runs, so this reads the declarations offline from the one file per fact.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed partial class NextLevelCheckTests
{
    [Fact]
    public void EveryCriterionFactDeclaresACheckAboveCore()
    {
        var declared = Declarations();
        var facts = ReportPublisher.FactsInAssembly(typeof(ReportPublisher).Assembly);

        Assert.NotEmpty(declared);
        var missingFile = facts.Keys.Where(k => k.Engine == Engines.Temporal.Id).Select(k => k.Criterion).Where(id => !declared.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missingFile.Count == 0, $"no fact file declares [Criterion] for: {string.Join(", ", missingFile)}");

        var coreOnly = declared.Where(d => d.Value.AboveCore == 0).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(coreOnly.Count == 0, $"criteria whose fact declares only core checks (they would cap at 4 stars; add an edge or production check, \"not run\" with its reason where it cannot be observed): {string.Join(", ", coreOnly)}");
        Assert.All(declared, d => Assert.True(d.Value.Core > 0, $"{d.Key} declares no core check"));
    }

    [Fact]
    public void TheScanCountsDeclarationsAndNotOtherCalls()
    {
        const string Source = """
            [Criterion("XX-01")]
            public async Task XX01() {
                await fact.LiveAsync(ServerNeed.Any, [ Core("a", "x"), Core("b", "y") ], ...);
                var edge = ActivityEvents.Edge(history); // not a declaration
            }
            """;

        var (core, aboveCore) = Count(Source);

        Assert.Equal((2, 0), (core, aboveCore));
        Assert.Equal((1, 1), Count("""[ Core("a", "x"), Production("p", "z") ]"""));
        Assert.Equal((0, 1), Count("""CheckSpec.Edge("e", "z")"""));
    }

    private static Dictionary<string, (int Core, int AboveCore)> Declarations()
    {
        var folder = Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "Criteria");
        var result = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var ids = CriterionAttribute().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count == 1)
            {
                result[ids[0]] = Count(text);
            }
            else if (ids.Count > 1)
            {
                Assert.Fail($"{file} holds facts for {string.Join(", ", ids)}; one fact per file is the convention this scan relies on");
            }
        }

        return result;
    }

    // A declaration is Kind("id", ...) with a string literal id, written bare (using static CheckSpec) or qualified.
    private static (int Core, int AboveCore) Count(string source) =>
        (Declaration().Matches(source).Count(m => m.Groups[1].Value == "Core"),
         Declaration().Matches(source).Count(m => m.Groups[1].Value != "Core"));

    [GeneratedRegex("""\[Criterion\("([A-Z]{2}-\d{2})"\)\]""")]
    private static partial Regex CriterionAttribute();

    [GeneratedRegex(@"(?<![\w.])(?:CheckSpec\.)?(Core|Edge|Production)\(\s*\$?""")]
    private static partial Regex Declaration();
}
