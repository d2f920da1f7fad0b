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

    [Fact]
    public void CompareLabelsRunsInSameNamedFilesByWhatTellsThemApart()
    {
        var report = JsonReport.Render(SyntheticEvidence.Report());
        var ts = SaveUnder("ts/reports", report);
        var cluster = SaveUnder("cluster/reports", report);
        var earlier = SaveUnder("old/reports", JsonReport.Render(SyntheticEvidence.Report(earlier: true) with { GeneratedAt = SyntheticEvidence.Report().GeneratedAt.AddDays(-1) }));

        var (code, markdown, _) = Run("compare", ts, cluster, earlier);

        Assert.Equal(CliProgram.Ok, code);
        var header = markdown.Split('\n').First(l => l.StartsWith("|  |", StringComparison.Ordinal));
        var labels = header.Split('|', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToList();
        Assert.Equal(3, labels.Count);
        Assert.Equal(3, labels.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain("reports/results.json", labels);
        Assert.All(labels, l => Assert.StartsWith("Temporal, ", l, StringComparison.Ordinal));

        // Same servers and time: only the path tells the first two apart; the third differs by time already.
        Assert.EndsWith("ts/reports/results.json", labels[0], StringComparison.Ordinal);
        Assert.EndsWith("cluster/reports/results.json", labels[1], StringComparison.Ordinal);
        Assert.DoesNotContain("old/reports", labels[2], StringComparison.Ordinal);
    }

    [Fact]
    public void CompareTakesOneLabelPerFile()
    {
        var a = Save("a.json", JsonReport.Render(SyntheticEvidence.Report(earlier: true)));
        var b = Save("b.json", JsonReport.Render(SyntheticEvidence.Report()));

        var (code, markdown, _) = Run("compare", a, b, "--label", "before upgrade", "--label", "after upgrade");
        var (tooFew, _, error) = Run("compare", a, b, "--label", "only one");

        Assert.Equal(CliProgram.Ok, code);
        Assert.Contains("|  | before upgrade | after upgrade |", markdown, StringComparison.Ordinal);
        Assert.Equal(CliProgram.BadInput, tooFew);
        Assert.Equal("durableeval: compare: 2 results files but 1 --label option(s); give one --label per file, in the same order, or none.", error.TrimEnd());
    }

    [Fact]
    public void RepeatedLabelsAreOneClearLine()
    {
        var a = Save("a.json", JsonReport.Render(SyntheticEvidence.Report()));

        var (code, _, error) = Run("compare", a, a, "--label", "x", "--label", "x");

        Assert.Equal(CliProgram.BadInput, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("\"x\" is given twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareTakesEnginesAsTargets()
    {
        var results = Save("results.json", JsonReport.Render(SyntheticEvidence.MultiEngine()));

        var (code, markdown, _) = Run("compare", results + "#temporal", results + "#durabletask");
        var (byOption, optionMarkdown, _) = Run("compare", results, Save("other.json", JsonReport.Render(SyntheticEvidence.MultiEngine())), "--engine", "agentframework");

        Assert.Equal((CliProgram.Ok, CliProgram.Ok), (code, byOption));
        var header = markdown.Split('\n').First(l => l.StartsWith("|  |", StringComparison.Ordinal));
        Assert.StartsWith("|  | Temporal, ", header, StringComparison.Ordinal);
        Assert.Contains("| Durable Task, durable task in-process test host", header, StringComparison.Ordinal);
        Assert.Contains("| **Verdict** | Temporal: ", markdown, StringComparison.Ordinal);
        Assert.Contains($"{Rubric.NotApplicableStars} not applicable", optionMarkdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Temporal", optionMarkdown.Split('\n').First(l => l.StartsWith("|  |", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEngineTheFileDoesNotHoldIsOneLineNamingTheEnginesItDoes()
    {
        var results = Save("results.json", JsonReport.Render(SyntheticEvidence.MultiEngine()));
        var temporalOnly = Save("v.json", JsonReport.Render(SyntheticEvidence.Report()));

        var (code, _, error) = Run("compare", results + "#temporal", results + "#nope");
        var (missing, _, missingError) = Run("compare", temporalOnly, temporalOnly + "#durabletask");

        Assert.Equal((CliProgram.BadInput, CliProgram.BadInput), (code, missing));
        Assert.Equal($"durableeval: {results}: has no results for engine 'nope'; it holds temporal, durabletask, agentframework (name one as {results}#ENGINE).", error.TrimEnd());
        Assert.Equal($"durableeval: {temporalOnly}: has no results for engine 'durabletask'; it holds temporal (name one as {temporalOnly}#ENGINE).", missingError.TrimEnd());
    }

    [Fact]
    public void RenderRendersEveryEngineAndGateGatesTheSubject()
    {
        var run = SyntheticEvidence.MultiEngine();
        var results = Save("results.json", JsonReport.Render(run));
        var strict = Save("strict.json", """{"mode": "enforced", "criteria": {"EX-01": 5}}""");
        var lenient = Save("lenient.json", """{"mode": "enforced", "minStars": 1}""");

        var (render, output, _) = Run("render", results, "--out", Path.Combine(folder, "out"));
        var (failed, gateOutput, _) = Run("gate", results, "--policy", strict);
        var (held, _, _) = Run("gate", results, "--policy", lenient);
        var (_, help, _) = Run("gate", "--help");

        Assert.Equal(CliProgram.Ok, render);
        Assert.Equal(MarkdownReport.Render(run), File.ReadAllText(Path.Combine(folder, "out", "REPORT.md")));
        Assert.Contains("Durable Task: ", output, StringComparison.Ordinal);

        // Durable Task's EX-03 is below any bar; the gate does not see it: only Temporal is gated.
        Assert.Equal(CliProgram.GateFailed, failed);
        Assert.StartsWith("DurableEval gate (Temporal; ", gateOutput, StringComparison.Ordinal);
        Assert.Equal(CliProgram.Ok, held);
        Assert.Contains("Only the subject engine (Temporal) is gated", help, StringComparison.Ordinal);
    }

    [Fact]
    public void ATargetPathMaySplitAtItsLastHashOnly()
    {
        Assert.Equal(("a/results.json", "durabletask"), CompareTarget.Split("a/results.json#durabletask"));
        Assert.Equal(("a#b/results.json", (string?)null), CompareTarget.Split("a#b/results.json"));
        Assert.Equal(("results.json#", (string?)null), CompareTarget.Split("results.json#"));
    }

    private string SaveUnder(string relative, string text)
    {
        var directory = Path.Combine(folder, relative);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "results.json");
        File.WriteAllText(path, text);
        return path;
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
