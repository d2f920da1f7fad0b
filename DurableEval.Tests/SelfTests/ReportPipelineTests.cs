using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The report pipeline's pure parts: server per check, anchors, policy, baseline, the console lines.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ReportPipelineTests
{
    [Fact]
    public void EachBlockStampsOnlyItsOwnChecksWithItsServer()
    {
        var recorded = new List<CheckResult>
        {
            new("offline", CheckKind.Core, "d", CheckOutcome.Passed, "x"),
            new("on-ts", CheckKind.Core, "d", CheckOutcome.Passed, "x"),
            new("on-dev", CheckKind.Edge, "d", CheckOutcome.Failed, "x"),
            new("not-run-on-dev", CheckKind.Edge, "d", CheckOutcome.NotRun, "x"),
        };

        FactRecorder.OnServer(recorded, 1, SyntheticEvidence.TimeSkipping);
        FactRecorder.OnServer(recorded, 2, SyntheticEvidence.Dev);

        Assert.Null(recorded[0].Server);
        Assert.Equal(SyntheticEvidence.TimeSkipping, recorded[1].Server);
        Assert.Equal(SyntheticEvidence.Dev, recorded[2].Server);
        Assert.Null(recorded[3].Server);
        var evidence = new CriterionEvidence("EX-01", "f", recorded, [], [], [], SyntheticEvidence.TimeSkipping);
        Assert.Equal([SyntheticEvidence.TimeSkipping, SyntheticEvidence.Dev], evidence.ServersUsed);
    }

    [Fact]
    public void ReportNamesEveryServerThatContributedAndEachChecksServer()
    {
        var report = SyntheticEvidence.Report();
        var markdown = MarkdownReport.Render(report);
        var ex01 = markdown[markdown.IndexOf("<b>EX-01", StringComparison.Ordinal)..markdown.IndexOf("</details>", markdown.IndexOf("<b>EX-01", StringComparison.Ordinal), StringComparison.Ordinal)];

        Assert.Contains("time-skipping test server, version synthetic", ex01, StringComparison.Ordinal);
        Assert.Contains("dev server (Temporal CLI), version synthetic-dev", ex01, StringComparison.Ordinal);
        Assert.Contains("| production | passed | dev server (Temporal CLI) synthetic-dev |", ex01, StringComparison.Ordinal);
        Assert.Contains("| core | passed | time-skipping test server synthetic |", ex01, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishedAnchorsHaveAWebSourceAndReferenceFiguresAreLabelled()
    {
        Assert.NotEmpty(MetricAnchors.AllPublished);
        Assert.All(MetricAnchors.AllPublished.Values, a =>
        {
            Assert.True(Uri.TryCreate(a.Source, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps, $"published anchor source '{a.Source}' is not an https URL");
            Assert.DoesNotContain("TEMPORAL-FACTS", a.Figure, StringComparison.Ordinal);
        });
        Assert.All(MetricAnchors.AllReferences.Values, r => Assert.False(Uri.TryCreate(r.MeasuredOn, UriKind.Absolute, out _)));
        Assert.Empty(MetricAnchors.AllPublished.Keys.Intersect(MetricAnchors.AllReferences.Keys));
        Assert.Contains(MetricAnchors.ReferenceLabel, MetricAnchors.ReferenceText("EX-05", "task_failure_detection_ms"), StringComparison.Ordinal);
        Assert.Equal("\u2014", MetricAnchors.PublishedText("EX-05", "task_failure_detection_ms"));
    }

    [Fact]
    public void PolicyBarsGoFromMostSpecificToDefault()
    {
        var policy = SyntheticEvidence.StrictPolicy;

        Assert.Equal(5, policy.BarFor(Catalog.Get("EX-01")));
        Assert.Equal(4, policy.BarFor(Catalog.Get("EX-02")));
        Assert.Equal(3, policy.BarFor(Catalog.Get("RT-01")));
        Assert.Equal(3, Policy.Default.BarFor(Catalog.Get("EX-01")));
        Assert.Equal(Rubric.Bar, (policy with { Mode = PolicyMode.Disabled }).AssertedBarFor(Catalog.Get("EX-01")));
    }

    [Theory]
    [InlineData("""{"mode": "strict"}""", "'mode'")]
    [InlineData("""{"minStars": 7}""", "'minStars'")]
    [InlineData("""{"criteria": {"XX-99": 3}}""", "'criteria.XX-99'")]
    [InlineData("""{"categories": {"EX": "four"}}""", "'categories.EX'")]
    [InlineData("""{"failOnRegresion": true}""", "'failOnRegresion'")]
    [InlineData("""{"mode": """, "not valid JSON")]
    public void MalformedPolicyIsOneLineNamingFileAndField(string json, string names)
    {
        var e = Assert.Throws<PolicyException>(() => PolicyLoader.Parse(json, "/repo/durableeval.policy.json"));

        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("/repo/durableeval.policy.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(names, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GateFailsOnBarsAndRegressionsOnlyWhenEnforced()
    {
        var report = SyntheticEvidence.ReportWithPolicyAndBaseline();

        Assert.True(report.Policy.Fails);
        Assert.Contains(report.Policy.Violations, v => v.Criterion == "EX-01" && !v.IsRegression);
        Assert.Contains(report.Policy.Violations, v => v.Criterion == "EX-03" && v.IsRegression);
        Assert.DoesNotContain(report.Policy.Violations, v => v.Criterion == "RT-01");

        var disabled = SyntheticEvidence.Report().Apply(SyntheticEvidence.StrictPolicy with { Mode = PolicyMode.Disabled }, report.Baseline);
        Assert.False(disabled.Policy.Fails);
        Assert.NotEmpty(disabled.Policy.Violations);

        var met = SyntheticEvidence.Report().Apply(Policy.Default with { MinStars = 1 }, null);
        Assert.False(met.Policy.Fails);
        Assert.Empty(met.Policy.Violations);
    }

    [Fact]
    public void BaselineDiffFindsLostStarsFlippedChecksAndMovedMetrics()
    {
        var diff = SyntheticEvidence.ReportWithPolicyAndBaseline().Baseline!;

        var ex03 = Assert.Single(diff.Stars);
        Assert.Equal(("EX-03", (int?)5, (int?)2, true), (ex03.Criterion, ex03.Before, ex03.After, ex03.IsRegression));
        var flip = Assert.Single(diff.Checks);
        Assert.Equal(("EX-03", "duplicate-start-rejected", CheckOutcome.Passed, CheckOutcome.Failed), (flip.Criterion, flip.Check, flip.Before, flip.After));
        var moved = Assert.Single(diff.Metrics);
        Assert.Equal("recovery_ms", moved.Metric);

        var same = SyntheticEvidence.Report();
        Assert.True(BaselineDiff.Between("same", same, same).IsEmpty);
        Assert.False(BaselineDiff.Moved(100, 124));
        Assert.True(BaselineDiff.Moved(100, 126));
    }

    [Fact]
    public void BaselineOfAnotherSchemaVersionOrUnreadableIsOneLine()
    {
        var older = JsonReport.Render(SyntheticEvidence.Report()).Replace(
            $"\"schemaVersion\": {EvaluationReport.SchemaVersion}", "\"schemaVersion\": 1", StringComparison.Ordinal);

        var version = Assert.Throws<ResultsFileException>(() => ResultsReader.Parse(older, "old/results.json"));
        var missing = Assert.Throws<ResultsFileException>(() => ResultsReader.Load("/nonexistent/results.json"));
        var garbage = Assert.Throws<ResultsFileException>(() => ResultsReader.Parse("{\"schemaVersion\": 2}", "bad/results.json"));

        Assert.Contains("schemaVersion 1", version.Message, StringComparison.Ordinal);
        Assert.All(new[] { version, missing, garbage }, e => Assert.DoesNotContain('\n', e.Message));
        Assert.StartsWith("/nonexistent/results.json: ", missing.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad/results.json: ", garbage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleLinesSayVerdictCountMostCommonReasonAndPath()
    {
        var lines = ConsoleSummary.Lines(SyntheticEvidence.Report(), "/repo/reports/REPORT.md");

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.DoesNotContain('\n', l));
        Assert.Contains("Experimental", lines[0], StringComparison.Ordinal);
        Assert.Contains("evaluated 6 of 58 criteria", lines[0], StringComparison.Ordinal);
        Assert.Contains(SyntheticEvidence.NoDevServer, lines[1], StringComparison.Ordinal);
        Assert.Contains("not evaluated: 47 no fact yet", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("report: /repo/reports/REPORT.md", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void SharedNotRunReasonIsStatedOnceAndReferenced()
    {
        var markdown = MarkdownReport.Render(SyntheticEvidence.Report());

        // The most common (N1) twice: the overview's line and the not-run reasons table; N2 once, in the table; rows say [Nn].
        Assert.Equal(2, Occurrences(markdown, SyntheticEvidence.NoDevServer));
        Assert.Equal(1, Occurrences(markdown, SyntheticEvidence.NoTestServer));
        Assert.Contains("[N1]", markdown, StringComparison.Ordinal);
        Assert.Contains("[N2]", markdown, StringComparison.Ordinal);
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
