using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using Xunit;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>The README's criteria table must be exactly what the catalog and the facts render.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ReadmeTableTests
{
    [Fact]
    public void ReadmeTableMatchesCatalog()
    {
        var path = Path.Combine(Settings.RepositoryRoot, "README.md");
        var readme = File.ReadAllText(path);
        var facts = ReportPublisher.FactsInAssembly(typeof(ReadmeTableTests).Assembly).Keys.ToHashSet();
        var expected = CriteriaTable.Splice(readme, CriteriaTable.Render(facts));
        if (Environment.GetEnvironmentVariable(Snapshot.AcceptVariable) == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(
            expected == readme,
            $"README.md's criteria table is out of date with the catalog: {Snapshot.FirstDifference(readme, expected)}. Regenerate it with {Snapshot.AcceptVariable}=1 dotnet test --filter FullyQualifiedName~ReadmeTableTests.");
    }
}
