using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>How a fact's runner outcome and its recorded evidence combine into a rating and a coverage level.</summary>
[Trait("Suite", "SelfTest")]
public sealed class AssessmentTests
{
    private static readonly CriterionDefinition Ex01 = Catalog.Get("EX-01");

    [Fact]
    public void NoFactIsNotEvaluated()
    {
        var result = Assess(FactOutcome.NoFact, null);

        Assert.False(result.Rating.IsEvaluated);
        Assert.Equal("no fact yet", result.Rating.Reason);
        Assert.Equal(Coverage.NotObservable, result.Coverage);
    }

    [Fact]
    public void NotSelectedNamesTheFilter()
    {
        var result = Assess(new FactOutcome(FactState.NotSelected, "Facts.EX01_ProgressGuarantee", string.Empty), null);

        Assert.False(result.Rating.IsEvaluated);
        Assert.Contains("filter", result.Rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SkippedWithoutEvidenceCarriesTheSkipMessage()
    {
        var result = Assess(new FactOutcome(FactState.Skipped, "Facts.EX01_ProgressGuarantee", "no server: set DURABLEEVAL_TEST_SERVER_PATH"), null);

        Assert.False(result.Rating.IsEvaluated);
        Assert.Contains("no server: set DURABLEEVAL_TEST_SERVER_PATH", result.Rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedFactWithGoodEvidenceIsNotEvaluated()
    {
        var evidence = Evidence([Check(CheckKind.Core, CheckOutcome.Passed), Check(CheckKind.Edge, CheckOutcome.Failed)]);
        Assert.Equal(3, Rubric.Rate(Ex01.Support, evidence.Checks).Stars);

        var result = Assess(new FactOutcome(FactState.Failed, "Facts.EX01_ProgressGuarantee", "NullReferenceException"), evidence);

        Assert.False(result.Rating.IsEvaluated);
        Assert.StartsWith("fact failed outside its checks", result.Rating.Reason, StringComparison.Ordinal);
        Assert.Contains("NullReferenceException", result.Rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedFactWithEvidenceBelowTheBarKeepsItsRating()
    {
        var evidence = Evidence([Check(CheckKind.Core, CheckOutcome.Passed), Check(CheckKind.Core, CheckOutcome.Failed)]);

        var result = Assess(new FactOutcome(FactState.Failed, "Facts.EX01_ProgressGuarantee", "rated 2 stars"), evidence);

        Assert.Equal(2, result.Rating.Stars);
        Assert.Equal("Experimental", result.Rating.Label);
    }

    public static TheoryData<string, CheckOutcome[], FactState, int?> PartialRuns => new()
    {
        // A measured core failure rates the criterion even though another core check did not run.
        { "failed + not run, fact failed", [CheckOutcome.Passed, CheckOutcome.Failed, CheckOutcome.NotRun], FactState.Failed, 2 },
        { "only failures ran", [CheckOutcome.Failed, CheckOutcome.NotRun], FactState.Failed, 1 },

        // With nothing failed, a core check that did not run still leaves the criterion not evaluated.
        { "passed + not run, fact skipped", [CheckOutcome.Passed, CheckOutcome.NotRun], FactState.Skipped, null },
    };

    [Theory]
    [MemberData(nameof(PartialRuns))]
    public void CoreFailureBeatsCoreNotRun(string situation, CheckOutcome[] core, FactState state, int? stars)
    {
        var evidence = Evidence(core.Select((o, i) => new CheckResult($"c{i}", CheckKind.Core, "synthetic", o, "observed")).ToList());

        var result = Assess(new FactOutcome(state, "Facts.EX01_ProgressGuarantee", "rated"), evidence);

        Assert.True(stars == result.Rating.Stars, $"{situation}: expected {stars} stars, got {result.Rating.Stars} ({result.Rating.Reason})");
        if (core.Contains(CheckOutcome.NotRun))
        {
            Assert.Contains($"c{Array.IndexOf(core, CheckOutcome.NotRun)}", result.Rating.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PassedFactIsRatedByTheRubric()
    {
        var evidence = Evidence([Check(CheckKind.Core, CheckOutcome.Passed), Check(CheckKind.Production, CheckOutcome.Passed)]);

        var result = Assess(new FactOutcome(FactState.Passed, "Facts.EX01_ProgressGuarantee", string.Empty), evidence);

        Assert.Equal(5, result.Rating.Stars);
        Assert.True(result.FailCloseApplies);
    }

    public static TheoryData<CheckOutcome[], int, Coverage> CoverageCases => new()
    {
        { [CheckOutcome.Passed, CheckOutcome.Failed], 0, Coverage.Measured },
        { [CheckOutcome.Passed, CheckOutcome.NotRun], 0, Coverage.Partial },
        { [CheckOutcome.Failed, CheckOutcome.NotRun], 1, Coverage.Partial },
        { [CheckOutcome.NotRun, CheckOutcome.NotRun], 1, Coverage.DocumentedOnly },
        { [CheckOutcome.NotRun], 0, Coverage.NotObservable },
        { [], 0, Coverage.NotObservable },
    };

    [Theory]
    [MemberData(nameof(CoverageCases))]
    public void CoverageFollowsWhatRan(CheckOutcome[] outcomes, int citations, Coverage expected)
    {
        var evidence = Evidence(
            outcomes.Select((o, i) => new CheckResult($"c{i}", CheckKind.Core, "synthetic", o, "observed")).ToList(),
            Enumerable.Range(0, citations).Select(i => new Citation($"statement {i}", "https://docs.temporal.io/")).ToList());

        var result = Assess(new FactOutcome(FactState.Skipped, "Facts.EX01_ProgressGuarantee", "no server"), evidence);

        Assert.Equal(expected, result.Coverage);
    }

    private static CriterionResult Assess(FactOutcome fact, CriterionEvidence? evidence) =>
        Assessment.Assess(Ex01, fact, evidence, EvaluationProfile.Default);

    private static CheckResult Check(CheckKind kind, CheckOutcome outcome) =>
        new($"{kind}-{outcome}", kind, "synthetic", outcome, "observed");

    private static CriterionEvidence Evidence(IReadOnlyList<CheckResult> checks, IReadOnlyList<Citation>? citations = null) =>
        new("EX-01", "Facts.EX01_ProgressGuarantee", checks, [], citations ?? [], [], null);
}
