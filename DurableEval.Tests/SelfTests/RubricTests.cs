using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>Every row of the rubric, driven by synthetic checks; labels are spelled out so a renamed label is noticed.</summary>
[Trait("Suite", "SelfTest")]
public sealed class RubricTests
{
    private const SupportLevel Native = SupportLevel.Native;
    private const SupportLevel Pattern = SupportLevel.Pattern;
    private const SupportLevel Custom = SupportLevel.Custom;

    public static TheoryData<string, SupportLevel, CheckResult[], int?, string> Rows => new()
    {
        { "no core check", Native, [Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.Passed)], null, "Not evaluated" },
        { "a core check not run", Native, [Core("c1", CheckOutcome.Passed), Core("c2", CheckOutcome.NotRun)], null, "Not evaluated" },
        { "a core check failed, another not run", Native, [Core("c1", CheckOutcome.Passed), Core("c2", CheckOutcome.Failed), Core("c3", CheckOutcome.NotRun)], 2, "Experimental" },
        { "the only core check that ran failed, another not run", Native, [Core("c1", CheckOutcome.Failed), Core("c2", CheckOutcome.NotRun), Edge("e1", CheckOutcome.Passed)], 1, "Not Supported" },
        { "core passed, others not run, none failed", Native, [Core("c1", CheckOutcome.Passed), Core("c2", CheckOutcome.NotRun), Core("c3", CheckOutcome.NotRun)], null, "Not evaluated" },
        { "every core check not run", Native, [Core("c1", CheckOutcome.NotRun), Edge("e1", CheckOutcome.Failed)], null, "Not evaluated" },
        { "all core failed", Native, [Core("c1", CheckOutcome.Failed), Core("c2", CheckOutcome.Failed), Edge("e1", CheckOutcome.Passed)], 1, "Not Supported" },
        { "some core failed", Native, [Core("c1", CheckOutcome.Passed), Core("c2", CheckOutcome.Failed), Edge("e1", CheckOutcome.Passed)], 2, "Experimental" },
        { "an edge check failed", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Failed), Production("p1", CheckOutcome.Passed)], 3, "PoC Ready" },
        { "an edge check not run", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.NotRun), Production("p1", CheckOutcome.Passed)], 3, "PoC Ready" },
        { "custom support, all passed", Custom, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.Passed)], 3, "PoC Ready" },
        { "a production check failed", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.Failed)], 4, "Production Ready" },
        { "a production check not run", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.NotRun)], 4, "Production Ready" },
        { "pattern support, all passed", Pattern, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.Passed)], 4, "Production Ready" },
        { "native, all passed", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed), Production("p1", CheckOutcome.Passed)], 5, "Production Recommended" },
        { "native, core only, all passed", Native, [Core("c1", CheckOutcome.Passed), Core("c2", CheckOutcome.Passed)], 4, "Production Ready" },
        { "native, core and edge passed, no production check", Native, [Core("c1", CheckOutcome.Passed), Edge("e1", CheckOutcome.Passed)], 5, "Production Recommended" },
        { "native, core and production passed, no edge check", Native, [Core("c1", CheckOutcome.Passed), Production("p1", CheckOutcome.Passed)], 5, "Production Recommended" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void RatesEveryRubricRow(string situation, SupportLevel support, CheckResult[] checks, int? stars, string label)
    {
        var rating = Rubric.Rate(support, checks);

        Assert.True(stars == rating.Stars, $"{situation}: expected {stars?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} stars, got {rating.Stars}");
        Assert.Equal(label, rating.Label);
        Assert.Equal(stars is not null, rating.IsEvaluated);
        if (stars is { } s)
        {
            Assert.Equal(label, Rubric.LabelFor(s));
        }
    }

    [Fact]
    public void NotRunCoreCheckIsNamedWithItsReason()
    {
        var rating = Rubric.Rate(Native, [Core("c1", CheckOutcome.Passed), Core("needs-dev", CheckOutcome.NotRun, "dev server unavailable")]);

        Assert.Null(rating.Stars);
        Assert.Contains("needs-dev", rating.Reason, StringComparison.Ordinal);
        Assert.Contains("dev server unavailable", rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AMeasuredCoreFailureRatesAndNamesWhatDidNotRun()
    {
        var rating = Rubric.Rate(Native, [Core("c1", CheckOutcome.Passed), Core("dup-rejected", CheckOutcome.Failed), Core("needs-dev", CheckOutcome.NotRun, "dev server unavailable")]);

        Assert.Equal(2, rating.Stars);
        Assert.Contains("dup-rejected", rating.Reason, StringComparison.Ordinal);
        Assert.Contains("not run: needs-dev", rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCoreCheckNotRunIsNamed()
    {
        var rating = Rubric.Rate(Native, [Core("a", CheckOutcome.NotRun, "no server"), Core("b", CheckOutcome.NotRun, "no server"), Core("c", CheckOutcome.Passed)]);

        Assert.Null(rating.Stars);
        Assert.Contains("core check a not run: no server", rating.Reason, StringComparison.Ordinal);
        Assert.Contains("also not run: b", rating.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedChecksAreNamedInTheReason()
    {
        var rating = Rubric.Rate(Native, [Core("c1", CheckOutcome.Passed), Core("dup-rejected", CheckOutcome.Failed), Edge("e1", CheckOutcome.Passed)]);

        Assert.Equal(2, rating.Stars);
        Assert.Contains("dup-rejected", rating.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("c1", rating.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void PassedCoreChecksAloneRateAtMostFourStars(int coreChecks)
    {
        var onlyCore = Enumerable.Range(1, coreChecks).Select(i => Core($"c{i}", CheckOutcome.Passed)).ToArray();
        foreach (var support in new[] { Native, Pattern, Custom })
        {
            var rating = Rubric.Rate(support, onlyCore);
            Assert.True(rating.Stars <= 4, $"{support}, {coreChecks} passed core checks: rated {rating.Stars}");
        }

        var native = Rubric.Rate(Native, onlyCore);
        Assert.Equal(4, native.Stars);
        Assert.Contains("no check above core", native.Reason, StringComparison.Ordinal);

        // The same evidence plus one passed next-level check earns the fifth star: the cap is about missing evidence only.
        Assert.Equal(5, Rubric.Rate(Native, [.. onlyCore, Edge("e1", CheckOutcome.Passed)]).Stars);
    }

    [Fact]
    public void TheRuleIsPrintedWithTheLegend()
    {
        Assert.Contains("above core", Rubric.Rows.Single(r => r.Stars == 5).Rule, StringComparison.Ordinal);
        Assert.Contains("no check above core", Rubric.Rows.Single(r => r.Stars == 4).Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsAndStarsTextAreTheDocumentedOnes()
    {
        Assert.Equal(
            ["Not Supported", "Experimental", "PoC Ready", "Production Ready", "Production Recommended"],
            Enumerable.Range(1, 5).Select(Rubric.LabelFor));
        Assert.Equal("\u2B50\u2B50\u2B50", Rubric.StarsText(3));
        Assert.Equal("\u2014", Rubric.StarsText(null));
    }

    private static CheckResult Core(string id, CheckOutcome outcome, string detail = "observed") =>
        new(id, CheckKind.Core, $"core check {id}", outcome, detail);

    private static CheckResult Edge(string id, CheckOutcome outcome) =>
        new(id, CheckKind.Edge, $"edge check {id}", outcome, "observed");

    private static CheckResult Production(string id, CheckOutcome outcome) =>
        new(id, CheckKind.Production, $"production check {id}", outcome, "observed");
}
