using System.Reflection;
using DurableEval.Evaluation;
using DurableEval.Workflows.Shared;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The dependency direction holds in the compiled assemblies: the rating core knows neither xUnit nor Temporal,
/// and the workflows under test know nothing of the test framework.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class PurityTests
{
    [Fact]
    public void EvaluationReferencesNeitherXunitNorTemporalio()
    {
        var references = References(typeof(Catalog).Assembly);

        Assert.Contains("System.Runtime", references);
        Assert.DoesNotContain(references, r => Starts(r, "xunit") || Starts(r, "Temporalio"));
    }

    [Fact]
    public void WorkflowsReferenceNoXunit()
    {
        var references = References(typeof(StepLedger).Assembly);

        // Temporalio is present, which shows the reference list is the real one rather than empty.
        Assert.Contains(references, r => Starts(r, "Temporalio"));
        Assert.DoesNotContain(references, r => Starts(r, "xunit"));
    }

    private static List<string> References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty).ToList();

    private static bool Starts(string name, string prefix) => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}
