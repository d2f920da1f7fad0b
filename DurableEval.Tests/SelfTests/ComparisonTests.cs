using System.Text.RegularExpressions;
using DurableEval.Evaluation;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The derived run-level sections (Comparison, When to use, Deployment checklist), each observed producing its entry
/// and withholding it when the data does not call for it.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ComparisonTests
{
    private static readonly Engine Dt = Engines.DurableTask;
    private static readonly Engine Af = Engines.AgentFramework;

    [Fact]
    public void RowsNameCatalogCriteriaOnceEachWithAReason()
    {
        var ids = ComparisonRows.Source.SelectMany(r => r.Criteria).ToList();

        Assert.All(ids, id => Assert.NotNull(Catalog.Find(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ComparisonRows.Source, r => Assert.False(string.IsNullOrWhiteSpace(r.Why)));
        Assert.Equal(["Durability", "Human-in-the-loop", "Replay", "Versioning", "Learning curve", "LLM-native"], ComparisonRows.Source.Select(r => r.Name));
    }

    [Fact]
    public void ACellIsTheMeanOfTheEvaluatedCriteriaRoundedDownWithEachLinked()
    {
        var report = SyntheticEngines.Rated(Dt, new Dictionary<string, int> { ["EX-01"] = 4, ["CP-02"] = 3 });

        var cell = ComparisonTable.NamedCell(report, ["EX-01", "EX-04", "CP-02"]);

        Assert.Equal(CellState.Rated, cell.State);
        Assert.Equal(3, cell.Stars);
        Assert.Equal("\u2B50\u2B50\u2B50 (mean 3.5: EX-01 \u2B504, CP-02 \u2B503; not evaluated: EX-04)", cell.PlainText);
        Assert.Equal(["EX-01", "CP-02", "EX-04"], cell.Segments.Where(s => s.Kind == SegmentKind.Evidence).Select(s => s.Criterion));
        Assert.All(cell.Segments.Where(s => s.Kind == SegmentKind.Evidence), s => Assert.Equal(Dt, s.Engine));
    }

    [Fact]
    public void RoundingDownNeverClaimsMoreThanTheMean()
    {
        Assert.Equal(3, ComparisonTable.RoundDown(3.99));
        Assert.Equal(4, ComparisonTable.RoundDown(3.9999999999));
        Assert.Equal(4, ComparisonTable.RoundDown(4));
    }

    [Fact]
    public void ACellWithNothingEvaluatedHasNoStarsAndSaysWhyOnceWhenTheReasonIsShared()
    {
        var temporal = SyntheticEngines.Temporal();

        var cell = ComparisonTable.NamedCell(temporal, ["EX-01", "EX-04", "CP-02"]);

        Assert.Equal(CellState.NotEvaluated, cell.State);
        Assert.Null(cell.Stars);
        Assert.Equal($"not evaluated: no Temporal server: time-skipping test server unavailable (see Temporal's N1)", cell.PlainText);
    }

    [Fact]
    public void OnlyAReasonStatedOnceInTheReportIsShortenedToWhatIsMissing()
    {
        Assert.Equal("dev server unavailable", NotEvaluatedReason.FirstClause("dev server unavailable; set DURABLEEVAL_CLI_PATH"));
        Assert.Equal("no fact yet", NotEvaluatedReason.FirstClause("no fact yet"));
        var alone = SyntheticEngines.Report(Engines.Temporal, [SyntheticEngines.Temporal().Results[0]]);

        // One check with the reason is not a shared reason: the whole reason (with its fix) stays in the cell.
        Assert.Empty(alone.SharedReasons);
        Assert.Equal($"not evaluated: {SyntheticEngines.NoTemporalServer}", ComparisonTable.NamedCell(alone, ["EX-01"]).PlainText);
    }

    [Fact]
    public void ACriterionFilteredOutSaysSoWithoutRepeatingNotRun()
    {
        var filtered = SyntheticEngines.Report(Engines.Temporal, Catalog.All
            .Select(d => Assessment.Assess(d, new FactOutcome(FactState.NotSelected, $"SyntheticFacts.{d.Id}", string.Empty), null, EvaluationProfile.Default))
            .ToList());

        Assert.Equal("not evaluated: not selected by this run's filter", ComparisonTable.NamedCell(filtered, ["EX-01", "CP-02"]).PlainText);
    }

    [Fact]
    public void DifferentReasonsAreEachStatedWithTheirCriteria()
    {
        var temporal = SyntheticEngines.Temporal();
        var mixed = SyntheticEngines.Report(Engines.Temporal, temporal.Results
            .Select(r => r.Definition.Id == "EX-04" ? Assessment.Assess(r.Definition, FactOutcome.NoFact, null, EvaluationProfile.Default) : r)
            .ToList());

        var cell = ComparisonTable.NamedCell(mixed, ["EX-01", "EX-04", "CP-02"]);

        Assert.Equal($"not evaluated: EX-01, CP-02: no Temporal server: time-skipping test server unavailable (see Temporal's N1); EX-04: no fact yet", cell.PlainText);
    }

    [Fact]
    public void NotApplicableIsDistinctFromNotEvaluated()
    {
        var af = SyntheticEngines.AgentFramework();

        var learning = ComparisonTable.NamedCell(af, ["DX-06", "DX-01"]);
        var operations = ComparisonTable.CategoryCell(af, Categories.Operations);

        Assert.Equal(CellState.NotApplicable, learning.State);
        Assert.Equal($"not applicable: {SyntheticEngines.SyntheticNotApplicable}", learning.PlainText);
        Assert.Equal(CellState.NotEvaluated, operations.State);
        Assert.EndsWith("; not applicable: OP-05, OP-06, OP-07", operations.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void ACategoryCellIsTheEnginesOwnCategoryAverageRoundedDown()
    {
        var dt = SyntheticEngines.Rated(Dt, SyntheticEngines.DurableTaskStars);

        var cell = ComparisonTable.CategoryCell(dt, Categories.Execution);

        // EX-01 5, EX-04 4, EX-07 5: the report's average 4.67 rounds down to 4.
        Assert.Equal(4.67, dt.Categories.Single(c => c.Category == Categories.Execution).Average!.Value, 2);
        Assert.Equal(4, cell.Stars);
        Assert.StartsWith("\u2B50\u2B50\u2B50\u2B50 (mean 4.67: EX-01 \u2B505, EX-04 \u2B504, EX-07 \u2B505; not evaluated: ", cell.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void ATwoStarGapIsALeadAndAOneStarGapIsNot()
    {
        var dt = SyntheticEngines.Rated(Dt, new Dictionary<string, int> { ["VR-01"] = 3, ["EX-01"] = 5 });
        var af = SyntheticEngines.Rated(Af, new Dictionary<string, int> { ["VR-01"] = 1, ["EX-01"] = 4 });

        var leads = WhenToUse.LeadsOf(dt, [dt, af]);

        var lead = Assert.Single(leads);
        Assert.Equal("VR-01", lead.Criterion.Id);
        Assert.Equal(Af, Assert.Single(lead.Behind).Engine);
        Assert.Empty(WhenToUse.LeadsOf(af, [dt, af]));
    }

    [Fact]
    public void ACriterionNotEvaluatedOnOneSideIsNeverCompared()
    {
        var dt = SyntheticEngines.Rated(Dt, new Dictionary<string, int> { ["VR-01"] = 4 });
        var temporal = SyntheticEngines.Temporal();

        Assert.Empty(WhenToUse.LeadsOf(dt, [temporal, dt]));
        Assert.Equal(0, WhenToUse.ComparedOn(dt, [temporal, dt]));
    }

    [Fact]
    public void EachEngineGetsASentenceOrSaysWhyNot()
    {
        var entries = WhenToUse.Derive(SyntheticEngines.Run().Engines);

        Assert.Equal([Engines.Temporal, Dt, Af], entries.Select(e => e.Engine));
        Assert.Equal("Temporal: nothing to compare; no criterion was evaluated both for Temporal and for another engine.", entries[0].PlainText);
        Assert.Equal("Choose Durable Task for Versioning & Migration (VR-01 Workflow Versioning \u2B503 vs Agent Framework workflows \u2B501).", entries[1].PlainText);
        Assert.Equal("Choose Agent Framework workflows for AI / Agent Integration (AI-03 HITL / Human Approval \u2B505 vs Durable Task \u2B503).", entries[2].PlainText);
    }

    [Fact]
    public void AnEngineWithoutALeadSaysSo()
    {
        var dt = SyntheticEngines.Rated(Dt, new Dictionary<string, int> { ["EX-01"] = 5 });
        var af = SyntheticEngines.Rated(Af, new Dictionary<string, int> { ["EX-01"] = 4 });

        var entries = WhenToUse.Derive([dt, af]);

        Assert.Equal("Durable Task: leads no other engine by 2 or more stars on the one criterion it was compared on.", entries[0].PlainText);
    }

    [Fact]
    public void AWeakCriterionIsOnTheChecklistAndAThreeStarOneIsNot()
    {
        var dt = SyntheticEngines.Rated(Dt, new Dictionary<string, int> { ["RT-04"] = 1, ["WF-06"] = 2, ["CP-02"] = 3, ["EX-01"] = 5 });

        var items = DeploymentChecklist.For(dt).Items;

        Assert.Contains(items, i => i.Result.Definition.Id == "RT-04");
        Assert.Contains(items, i => i.Result.Definition.Id == "WF-06");
        Assert.DoesNotContain(items, i => i.Result.Definition.Id is "CP-02" or "EX-01");
        var rt04 = items.Single(i => i.Result.Definition.Id == "RT-04");
        Assert.Equal(
            "RT-04 Heartbeat \u2B50 Not Supported: no core check passed (core-a failed); Durable Task documents (custom support): " + EngineScope.For(Dt, "RT-04").Source,
            rt04.PlainText);
    }

    [Fact]
    public void NotEvaluatedIsOnTheChecklistWithItsReasonAndNotApplicableNever()
    {
        var af = SyntheticEngines.AgentFramework();
        var temporal = SyntheticEngines.Temporal();

        var afItems = DeploymentChecklist.For(af).Items;
        var temporalItems = DeploymentChecklist.For(temporal).Items;

        Assert.DoesNotContain(afItems, i => !i.Result.Rating.IsApplicable);
        Assert.DoesNotContain(afItems, i => i.Result.Definition.Id is "OP-05" or "OP-06" or "OP-07" or "DX-01" or "DX-06");
        Assert.Contains(afItems, i => i.PlainText == "RT-01 Retry Strategy: not evaluated \u2014 no fact yet; evaluate before production");
        Assert.Equal(Catalog.All.Count, temporalItems.Count);
        Assert.Equal($"EX-01 Progress Guarantee: not evaluated \u2014 no Temporal server: time-skipping test server unavailable (see Temporal's N1); evaluate before production", temporalItems[0].PlainText);
    }

    [Fact]
    public void AWeakTemporalCriterionPointsToTheCatalogsNextStep()
    {
        var temporal = SyntheticEngines.Rated(Engines.Temporal, new Dictionary<string, int> { ["EX-03"] = 2 });

        var item = DeploymentChecklist.For(temporal).Items.Single(i => i.Result.Definition.Id == "EX-03");

        Assert.EndsWith("; to raise the rating: " + Catalog.Get("EX-03").ToRaise, item.PlainText, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSectionsAppearOnlyWhenMoreThanOneEngineRan()
    {
        var single = RunReport.Single(SyntheticEngines.Temporal());

        Assert.Equal(string.Empty, ComparisonMarkdown.Render(single));
        Assert.Equal(string.Empty, ComparisonHtml.Render(single));
        Assert.Contains("## Comparison", ComparisonMarkdown.Render(SyntheticEngines.Run()), StringComparison.Ordinal);
    }

    /// <summary>Composed into the run's REPORT.md and report.html, every evidence link lands on an anchor the document has.</summary>
    [Fact]
    public void TheComposedReportsCarryTheSectionsAndEveryLinkResolves()
    {
        var run = SyntheticEngines.Run();
        var markdown = MarkdownReport.Render(run);
        var html = HtmlReport.Render(run);

        Assert.Contains(ComparisonMarkdown.Render(run), markdown, StringComparison.Ordinal);
        Assert.Contains(ComparisonHtml.Render(run), html, StringComparison.Ordinal);
        var targets = Regex.Matches(ComparisonMarkdown.Render(run), @"\]\(#([^)]+)\)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Contains("temporal-ex-01", targets);
        Assert.Contains("agentframework-vr-01", targets);
        Assert.All(targets, t => Assert.Contains($"id=\"{t}\"", markdown, StringComparison.Ordinal));
        Assert.All(targets, t => Assert.Contains($"id=\"{t}\"", html, StringComparison.Ordinal));
        Assert.DoesNotContain("## Comparison", MarkdownReport.Render(RunReport.Single(SyntheticEngines.Temporal())), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryLinkTargetsTheEnginesCriterionAnchor()
    {
        var markdown = ComparisonMarkdown.Render(SyntheticEngines.Run());

        Assert.Contains("[EX-01](#durabletask-ex-01) \u2B505", markdown, StringComparison.Ordinal);
        Assert.Contains("[Agent Framework workflows](#agentframework-vr-01) \u2B501", markdown, StringComparison.Ordinal);
    }
}
