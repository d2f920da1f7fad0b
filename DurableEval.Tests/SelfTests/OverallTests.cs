using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The aggregation rule: category averages, the rounded-down overall, the fail-close cap and completeness.</summary>
[Trait("Suite", "SelfTest")]
public sealed class OverallTests
{
    private static readonly DateTimeOffset Clock = Snapshots.SyntheticEvidence.Clock;

    private static readonly EnvironmentInfo Machine = Snapshots.SyntheticEvidence.Environment;

    private static readonly string[] AlwaysFailClose = ["EX-01", "EX-03", "RT-01", "OP-02"];

    [Fact]
    public void OverallIsTheRoundedDownMeanOfCategoryAverages()
    {
        var report = Build(new() { ["EX-01"] = 5, ["EX-02"] = 3, ["RT-01"] = 3, ["RT-02"] = 2, ["WF-01"] = 4 });

        // "Good" is PoC Ready and up, so EX-02's 3 stars counts as good; RT-02's 2 stars does not.
        var ex = Category(report, "EX");
        Assert.Equal((7, 2, 0, 5), (ex.Items, ex.Good, ex.NotGood, ex.NotEvaluated));
        var rt = Category(report, "RT");
        Assert.Equal((1, 1), (rt.Good, rt.NotGood));
        Assert.Equal(4.0, ex.Average);
        Assert.Equal(2.5, Category(report, "RT").Average);
        Assert.Equal(4.0, Category(report, "WF").Average);
        Assert.Null(Category(report, "AI").Average);

        // (4 + 2.5 + 4) / 3 = 3.5: rounding down gives 3 where rounding to nearest would give 4.
        Assert.Equal(3.5, report.Overall.Mean!.Value, 9);
        Assert.Equal(3, report.Overall.Stars);
        Assert.Equal("PoC Ready", report.Overall.Label);
        Assert.False(report.Overall.Capped);
    }

    [Fact]
    public void NotEvaluatedCriteriaAreLeftOutOfAveragesAndListed()
    {
        var results = Results(new() { ["EX-01"] = 5, ["EX-03"] = 1 }, EvaluationProfile.Default);
        var skipped = new FactOutcome(FactState.Skipped, "Facts.EX02_SideEffectGuarantee", "no server");
        results[Index("EX-02")] = Assessment.Assess(Catalog.Get("EX-02"), skipped, null, EvaluationProfile.Default);

        var report = EvaluationReport.Build(Clock, Machine, EvaluationProfile.Default, results);

        Assert.Equal(3.0, Category(report, "EX").Average);
        Assert.Equal(5, Category(report, "EX").NotEvaluated);
        Assert.Contains("EX-02", report.Overall.LeftOut);
        Assert.DoesNotContain("EX-01", report.Overall.LeftOut);
        Assert.Equal(56, report.Overall.LeftOut.Count);
    }

    [Fact]
    public void AnAlwaysFailCloseCriterionBelowTheBarCapsTheOverall()
    {
        var report = Build(AllFailCloseAt(5, new() { ["EX-01"] = 2, ["WF-01"] = 5, ["WF-02"] = 5 }));

        Assert.True(report.Overall.Mean > 4);
        Assert.Equal(2, report.Overall.Stars);
        Assert.Equal("Experimental", report.Overall.Label);
        Assert.True(report.Overall.Capped);
        Assert.Equal(["EX-01"], report.Overall.FailCloseBelowBar);
        Assert.True(report.Overall.Complete);
    }

    [Fact]
    public void ACriterionWithoutFailCloseBelowTheBarDoesNotCap()
    {
        var report = Build(AllFailCloseAt(5, new() { ["RT-02"] = 1 }));

        Assert.False(report.Overall.Capped);
        Assert.Empty(report.Overall.FailCloseBelowBar);
        Assert.True(report.Overall.Stars > Rubric.FailCloseCap);
    }

    [Fact]
    public void AFailCloseCriterionNotEvaluatedMakesTheVerdictIncomplete()
    {
        var results = Results(AllFailCloseAt(5, []), EvaluationProfile.Default);
        var skipped = new FactOutcome(FactState.Skipped, "Facts.EX03_IdempotencyDeduplication", "no server");
        results[Index("EX-03")] = Assessment.Assess(Catalog.Get("EX-03"), skipped, null, EvaluationProfile.Default);

        var report = EvaluationReport.Build(Clock, Machine, EvaluationProfile.Default, results);

        Assert.False(report.Overall.Complete);
        Assert.Equal(["EX-03"], report.Overall.FailCloseNotEvaluated);
        Assert.Contains("EX-03", report.Overall.LeftOut);
        Assert.False(report.Overall.Capped);
        Assert.Equal(5, report.Overall.Stars);
    }

    [Fact]
    public void AFailCloseCriterionWithAFailedAndAnUnrunCoreCheckCapsRatherThanIncompletes()
    {
        var results = Results(AllFailCloseAt(5, []), EvaluationProfile.Default);
        CheckResult[] checks =
        [
            new("rejects-duplicate", CheckKind.Core, "synthetic", CheckOutcome.Failed, "a second run started"),
            new("needs-dev", CheckKind.Core, "synthetic", CheckOutcome.NotRun, "dev server unavailable"),
        ];
        var evidence = new CriterionEvidence("EX-03", "Facts.EX03_IdempotencyDeduplication", checks, [], [], [], null);
        var failed = new FactOutcome(FactState.Failed, "Facts.EX03_IdempotencyDeduplication", "rated 1 star");
        results[Index("EX-03")] = Assessment.Assess(Catalog.Get("EX-03"), failed, evidence, EvaluationProfile.Default);

        var report = EvaluationReport.Build(Clock, Machine, EvaluationProfile.Default, results);

        Assert.True(report.Overall.Complete);
        Assert.Equal(["EX-03"], report.Overall.FailCloseBelowBar);
        Assert.True(report.Overall.Capped);
        Assert.Equal(Rubric.FailCloseCap, report.Overall.Stars);
        Assert.DoesNotContain("EX-03", report.Overall.LeftOut);
    }

    [Theory]
    [InlineData(WorkflowDuration.Seconds, false)]
    [InlineData(WorkflowDuration.Minutes, true)]
    [InlineData(WorkflowDuration.Hours, true)]
    [InlineData(WorkflowDuration.Months, true)]
    public void VersioningCapsOnlyForWorkflowsOfMinutesOrLonger(WorkflowDuration duration, bool caps)
    {
        var profile = EvaluationProfile.Default with { Duration = duration };
        var ratings = AllFailCloseAt(5, []);
        ratings["VR-01"] = 2;

        var report = EvaluationReport.Build(Clock, Machine, profile, Results(ratings, profile));

        Assert.Equal(caps, report.Overall.Capped);
        Assert.Equal(caps, report.Results.Single(r => r.Definition.Id == "VR-01").FailCloseApplies);
        Assert.Equal(caps ? ["VR-01"] : [], report.Overall.FailCloseBelowBar);
        Assert.Equal(caps ? 2 : 4, report.Overall.Stars);
    }

    [Fact]
    public void NoEvaluatedCriterionGivesNoOverallStars()
    {
        var report = Build([]);

        Assert.Null(report.Overall.Stars);
        Assert.Null(report.Overall.Mean);
        Assert.Equal("Not evaluated", report.Overall.Label);
        Assert.Equal(58, report.Overall.LeftOut.Count);
        Assert.False(report.Overall.Complete);
    }

    private static Dictionary<string, int> AllFailCloseAt(int stars, Dictionary<string, int> others)
    {
        var ratings = AlwaysFailClose.Append("VR-01").ToDictionary(id => id, _ => stars);
        foreach (var (id, s) in others)
        {
            ratings[id] = s;
        }

        return ratings;
    }

    [Fact]
    public void IncompleteOverallIsProvisionalInEveryFormat()
    {
        // No server: two criteria rated, fail-close criteria not evaluated. The stars must not read as the rating.
        var report = Build(new() { ["DX-01"] = 3, ["VR-02"] = 3 });

        Assert.True(report.Overall.Provisional);
        var expected = "not rated (incomplete); provisional \u2B50\u2B50\u2B50 PoC Ready from 2 of 58";
        Assert.Equal(expected, report.OverallText);
        Assert.StartsWith("DurableEval: Temporal: " + expected + "; incomplete: fail-close criteria not evaluated: EX-01", ConsoleSummary.Lines(report, "r.md")[0], StringComparison.Ordinal);
        Assert.Contains("**Overall:** " + expected, MarkdownReport.Render(report), StringComparison.Ordinal);
        Assert.Contains("provisional \u2605\u2605\u2605\u2606\u2606 PoC Ready from 2 of 58", HtmlReport.Render(report), StringComparison.Ordinal);
        Assert.Contains("<property name=\"overall\" value=\"" + expected + "\" />", JunitReport.Render(report), StringComparison.Ordinal);
        var json = System.Text.Json.JsonDocument.Parse(JsonReport.Render(report)).RootElement.GetProperty("overall");
        Assert.True(json.GetProperty("provisional").GetBoolean());
        Assert.Equal(expected, json.GetProperty("display").GetString());
        Assert.DoesNotContain("Verdict:** PoC Ready", MarkdownReport.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public void CompleteOverallIsNotProvisional()
    {
        var all = Catalog.All.Where(d => d.FailClose != FailCloseRule.None).ToDictionary(d => d.Id, _ => 4);

        var report = Build(all);

        Assert.False(report.Overall.Provisional);
        Assert.Equal("\u2B50\u2B50\u2B50\u2B50 Production Ready", report.OverallText);
        Assert.DoesNotContain("provisional", ConsoleSummary.Lines(report, "r.md")[0], StringComparison.Ordinal);
    }

    private static EvaluationReport Build(Dictionary<string, int> ratings) =>
        EvaluationReport.Build(Clock, Machine, EvaluationProfile.Default, Results(ratings, EvaluationProfile.Default));

    private static List<CriterionResult> Results(Dictionary<string, int> ratings, EvaluationProfile profile) =>
        Catalog.All.Select(d => ratings.TryGetValue(d.Id, out var stars)
                ? Rated(d, stars, profile)
                : Assessment.Assess(d, FactOutcome.NoFact, null, profile))
            .ToList();

    /// <summary>Evidence that the rubric rates at <paramref name="stars"/>, checked so a rubric change cannot silently reshape these cases.</summary>
    private static CriterionResult Rated(CriterionDefinition d, int stars, EvaluationProfile profile)
    {
        CheckResult Check(string id, CheckKind kind, bool passed) =>
            new(id, kind, "synthetic", passed ? CheckOutcome.Passed : CheckOutcome.Failed, "observed");

        CheckResult[] checks = stars switch
        {
            1 => [Check("c1", CheckKind.Core, false)],
            2 => [Check("c1", CheckKind.Core, true), Check("c2", CheckKind.Core, false)],
            3 => [Check("c1", CheckKind.Core, true), Check("e1", CheckKind.Edge, false)],
            4 => [Check("c1", CheckKind.Core, true), Check("e1", CheckKind.Edge, true), Check("p1", CheckKind.Production, false)],
            _ => [Check("c1", CheckKind.Core, true), Check("e1", CheckKind.Edge, true), Check("p1", CheckKind.Production, true)],
        };
        var evidence = new CriterionEvidence(d.Id, "Facts." + d.Id, checks, [], [], [], null);
        var fact = new FactOutcome(stars >= Rubric.Bar ? FactState.Passed : FactState.Failed, "Facts." + d.Id, string.Empty);
        var result = Assessment.Assess(d, fact, evidence, profile);
        Assert.True(result.Rating.Stars == stars, $"synthetic evidence for {d.Id} rated {result.Rating.Stars}, wanted {stars}");
        return result;
    }

    private static CategorySummary Category(EvaluationReport report, string code) =>
        report.Categories.Single(c => c.Category.Code == code);

    private static int Index(string id) => Catalog.All.ToList().FindIndex(c => c.Id == id);
}
