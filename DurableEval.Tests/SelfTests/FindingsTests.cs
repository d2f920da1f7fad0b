using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>Key findings and the conclusion are derived from the evidence: grouped not-run reasons, and the conclusion's three parts.</summary>
[Trait("Suite", "SelfTest")]
public sealed class FindingsTests
{
    private static readonly SharedReason NoServer = new("N1", "time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH", 3, ["EX-01", "RT-01"]);

    [Fact]
    public void NotRunChecksAreGroupedByReasonWithCountAndCriteria()
    {
        (string, CheckResult)[] notRun =
        [
            ("EX-01", NotRun("a", NoServer.Text)),
            ("EX-01", NotRun("b", NoServer.Text)),
            ("RT-01", NotRun("c", NoServer.Text)),
            ("OP-06", NotRun("d", "the server does not expose replication")),
        ];

        var lines = Findings.NotRunByReason(notRun, [NoServer]);

        Assert.Equal(
            [
                "[N1] time-skipping test server unavailable ... \u2014 3 checks in 2 criteria: EX-01, RT-01",
                "the server does not expose replication \u2014 1 check in 1 criterion: OP-06",
            ],
            lines);
    }

    [Fact]
    public void LongCriteriaListsStayShort()
    {
        var all = Catalog.All.Select(c => c.Id).ToList();

        Assert.Equal("all 58 criteria", Findings.CriteriaList(all));
        Assert.Equal("56 criteria: all except EX-01, AI-06", Findings.CriteriaList(all.Where(id => id is not ("EX-01" or "AI-06")).ToList()));
        Assert.EndsWith("and 10 more", Findings.CriteriaList(all.Take(20).ToList()), StringComparison.Ordinal);
    }

    [Fact]
    public void ConclusionStatesStrengthsConsiderationsAndFailCloseFromTheEvidence()
    {
        var report = Snapshots.SyntheticEvidence.Report();

        var paragraphs = Findings.Conclusion(report);

        Assert.Equal(4, paragraphs.Count);
        Assert.StartsWith("**Verdict:** not rated.", paragraphs[0], StringComparison.Ordinal);
        Assert.StartsWith("**Strengths:** ", paragraphs[1], StringComparison.Ordinal);
        Assert.Contains("Production Recommended (RT-01, WF-03)", paragraphs[1], StringComparison.Ordinal);
        Assert.StartsWith("**Considerations:**\n- ", paragraphs[2], StringComparison.Ordinal);
        Assert.Contains("\n- below PoC Ready: EX-03 (core checks failed: duplicate-start-rejected)", paragraphs[2], StringComparison.Ordinal);
        Assert.Contains("\n- custom support, so user code carries the feature: RT-03", paragraphs[2], StringComparison.Ordinal);
        Assert.Contains("\n- next-level checks that could not run here, so these ratings are a floor: EX-01", paragraphs[2], StringComparison.Ordinal);
        Assert.StartsWith("**Fail-close outcome:** ", paragraphs[3], StringComparison.Ordinal);
        Assert.Contains("1 below it (EX-03), capping the overall at 2 stars", paragraphs[3], StringComparison.Ordinal);

        // The earlier run had EX-03 passing: the same derivation then names no fail-close criterion below the bar.
        var earlier = Findings.Conclusion(Snapshots.SyntheticEvidence.Report(earlier: true));
        Assert.DoesNotContain("below it", earlier[3], StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFindingsAreOneIdeaEach()
    {
        var findings = Findings.Derive(Snapshots.SyntheticEvidence.Report());

        // One sentence per bullet; lists go under a bullet, never into it.
        Assert.All(findings, f => Assert.Single(f.Text.Split(". ", StringSplitOptions.None)));
        Assert.Contains(findings, f => f.Text == "1 check failed: EX-03/duplicate-start-rejected.");
        Assert.Contains(findings, f => f.Items.Count == 2 && f.Text == "4 checks did not run, by reason:");
    }

    private static CheckResult NotRun(string id, string reason) => new(id, CheckKind.Core, "synthetic", CheckOutcome.NotRun, reason);
}
