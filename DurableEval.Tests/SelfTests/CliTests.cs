using DurableEval.Evaluation;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;
using CliProgram = DurableEval.Cli.Program;

namespace DurableEval.Tests.SelfTests;

/// <summary>The CLI over results.json files: render, compare, gate and their exit codes, in process.</summary>
[Trait("Suite", "SelfTest")]
public sealed class CliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("durableeval-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void GateExitsOneWhenAPolicyIsBrokenZeroWhenItHoldsTwoOnBadInput()
    {
        var results = Save("results.json", JsonReport.Render(SyntheticEvidence.Report()));
        var strict = Save("strict.json", """{"mode": "enforced", "criteria": {"EX-01": 5}}""");
        var lenient = Save("lenient.json", """{"mode": "enforced", "minStars": 1}""");
        var disabled = Save("disabled.json", """{"mode": "disabled", "minStars": 5}""");
        var malformed = Save("malformed.json", """{"minStars": "five"}""");

        Assert.Equal((CliProgram.GateFailed, "EX-01 rated 4 stars, below its bar of 5"), RunGate(results, strict));
        Assert.Equal(CliProgram.Ok, RunGate(results, lenient).Code);
        Assert.Equal(CliProgram.Ok, RunGate(results, disabled).Code);
        var (code, _, error) = Run("gate", results, "--policy", malformed);
        Assert.Equal(CliProgram.BadInput, code);
        Assert.Contains("malformed.json: field 'minStars'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GateFailsOnRegressionAgainstABaseline()
    {
        var earlier = Save("earlier.json", JsonReport.Render(SyntheticEvidence.Report(earlier: true)));
        var now = Save("now.json", JsonReport.Render(SyntheticEvidence.Report()));
        var policy = Save("p.json", """{"mode": "enforced", "minStars": 1, "failOnRegression": true}""");

        var (code, output, _) = Run("gate", now, "--policy", policy, "--baseline", earlier);

        Assert.Equal(CliProgram.GateFailed, code);
        Assert.Contains("EX-03 regressed since the baseline", output, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareAndRenderWriteEveryFormat()
    {
        var a = Save("a.json", JsonReport.Render(SyntheticEvidence.Report(earlier: true)));
        var b = Save("b.json", JsonReport.Render(SyntheticEvidence.Report()));
        var html = Path.Combine(folder, "compare.html");

        var (compare, markdown, _) = Run("compare", a, b, "--html", html);
        var (render, _, _) = Run("render", b, "--out", Path.Combine(folder, "out"));

        Assert.Equal((CliProgram.Ok, CliProgram.Ok), (compare, render));
        Assert.All(Catalog.All, c => Assert.Contains($"| {c.Id} {c.Name} |", markdown, StringComparison.Ordinal));
        Assert.Contains("data-criterion=\"EX-03\"", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Equal(MarkdownReport.Render(SyntheticEvidence.Report()), File.ReadAllText(Path.Combine(folder, "out", "REPORT.md")));
        Assert.True(File.Exists(Path.Combine(folder, "out", "report.html")));
        Assert.True(File.Exists(Path.Combine(folder, "out", "junit.xml")));
    }

    private (int Code, string Line) RunGate(string results, string policy)
    {
        var (code, output, _) = Run("gate", results, "--policy", policy);
        var violation = output.Contains("EX-01 rated 4 stars, below its bar of 5", StringComparison.Ordinal) ? "EX-01 rated 4 stars, below its bar of 5" : output;
        return (code, violation);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliProgram.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Save(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
