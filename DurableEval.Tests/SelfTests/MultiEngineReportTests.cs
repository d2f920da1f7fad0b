using System.Text.Json;
using System.Text.RegularExpressions;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.SelfTests.Snapshots;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// A run with several engines renders one report set: the subject's report as for a Temporal-only run, then a
/// section per other engine with anchors unique per engine; "not applicable" is never "not evaluated"; only the
/// subject is gated; results.json v3 carries every engine and reads back to the same bytes.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed partial class MultiEngineReportTests
{
    private static readonly RunReport Run = SyntheticEvidence.MultiEngine();

    private static EvaluationReport DurableTask => Run.Find(Engines.DurableTask)!;

    private static EvaluationReport AgentFramework => Run.Find(Engines.AgentFramework)!;

    private static List<string> NotApplicableTo(Engine engine) =>
        Catalog.All.Where(d => !EngineScope.For(engine, d).Applies).Select(d => d.Id).ToList();

    [Fact]
    public void TheRunListsTheSubjectFirstThenTheOtherEnginesInCatalogOrder()
    {
        var shuffled = new RunReport([AgentFramework, Run.Subject, DurableTask]);

        Assert.Equal(["temporal", "durabletask", "agentframework"], shuffled.Engines.Select(r => r.Engine.Id));
        Assert.Same(Run.Subject, shuffled.Subject);
        Assert.Throws<ArgumentException>(() => new RunReport([DurableTask]));
        Assert.Throws<ArgumentException>(() => new RunReport([Run.Subject, DurableTask, DurableTask]));
        Assert.Null(RunReport.Single(Run.Subject).Find("durabletask"));
    }

    [Fact]
    public void AnchorsAreEngineQualifiedAndUniqueInEveryFormat()
    {
        Assert.Equal("durabletask-ex-01", ReportAnchors.For(Engines.DurableTask, "EX-01"));
        Assert.Equal("temporal-ex-01", ReportAnchors.For(Engines.Temporal, "EX-01"));
        Assert.Equal("engine-agentframework", ReportAnchors.Section(Engines.AgentFramework));

        var markdown = MarkdownReport.Render(Run);
        var html = HtmlReport.Render(Run);
        var mdAnchors = MarkdownAnchor().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        // The charts' SVG clip paths are not anchors (each chart numbers its own).
        var htmlIds = HtmlId().Matches(html).Select(m => m.Groups[1].Value).Where(id => !id.StartsWith("clipPath", StringComparison.Ordinal)).ToList();

        foreach (var anchors in new[] { mdAnchors, htmlIds })
        {
            Assert.Equal(anchors.Count, anchors.Distinct(StringComparer.Ordinal).Count());
            foreach (var report in Run.Engines)
            {
                Assert.All(Catalog.All, c => Assert.Contains(ReportAnchors.For(report.Engine, c.Id), anchors));
            }

            Assert.All(Run.Others, r => Assert.Contains(ReportAnchors.Section(r.Engine), anchors));
        }

        // Every in-page link lands on an anchor.
        Assert.All(MarkdownLink().Matches(markdown).Select(m => m.Groups[1].Value).Where(a => a.Contains('-', StringComparison.Ordinal) && a != "not-run-reasons"),
            target => Assert.Contains(target, mdAnchors));
        Assert.All(HtmlLink().Matches(html).Select(m => m.Groups[1].Value), target => Assert.Contains(target, htmlIds));
    }

    [Fact]
    public void TheVerdictNamesItsEngineInEveryFormat()
    {
        var markdown = MarkdownReport.Render(Run);
        var lines = ConsoleSummary.Lines(Run, "REPORT.md");

        Assert.All(Run.Engines, r => Assert.Contains($"**Verdict:** {r.Engine.Name}: {MarkdownReport.Verdict(r.Overall)}", markdown, StringComparison.Ordinal));
        Assert.Contains($"<p class=\"verdict\" id=\"verdict\">Temporal: ", HtmlReport.Render(Run), StringComparison.Ordinal);
        Assert.Equal(Run.Engines.Count + 1, lines.Count);
        for (var i = 0; i < Run.Engines.Count; i++)
        {
            Assert.StartsWith($"DurableEval: {Run.Engines[i].Engine.Name}: ", lines[i], StringComparison.Ordinal);
        }

        Assert.Contains("not gated", lines[1], StringComparison.Ordinal);

        // Another engine has no fail-close rule to call its verdict incomplete: it says what the verdict rests on.
        var share = $" from {DurableTask.Evaluated} of {Catalog.All.Count - NotApplicableTo(Engines.DurableTask).Count} applicable criteria";
        Assert.EndsWith(share, MarkdownReport.EngineVerdict(DurableTask), StringComparison.Ordinal);
        Assert.Contains(share + ";", lines[1], StringComparison.Ordinal);
        Assert.Equal(string.Empty, MarkdownReport.EvidenceShare(Run.Subject));
        Assert.EndsWith("report: REPORT.md", lines[^1], StringComparison.Ordinal);
        Assert.Contains($"{Engines.AgentFramework.Name} used from .NET", string.Join("\n", Findings.Conclusion(AgentFramework)), StringComparison.Ordinal);
    }

    [Fact]
    public void NotApplicableIsNeitherNotEvaluatedNorInAnyAverage()
    {
        var notApplicable = NotApplicableTo(Engines.AgentFramework);
        Assert.NotEmpty(notApplicable);
        var report = AgentFramework;

        Assert.Equal(notApplicable.Count, report.NotApplicable);
        Assert.Equal(notApplicable, report.Overall.NotApplicable);
        Assert.Empty(report.Overall.LeftOut.Intersect(notApplicable));
        Assert.Equal(Catalog.All.Count - notApplicable.Count - report.Evaluated, report.Overall.LeftOut.Count);
        Assert.All(report.Categories, c => Assert.Equal(c.Items, c.Good + c.NotGood + c.NotEvaluated + c.NotApplicable));
        Assert.Contains($"; {notApplicable.Count} not applicable)", MarkdownReport.RunLine(report), StringComparison.Ordinal);

        var id = notApplicable[0];
        var name = Catalog.Get(id).Name;
        var markdown = MarkdownReport.Render(Run);
        Assert.Contains($"| [{id}](#{ReportAnchors.For(Engines.AgentFramework, id)}) | {name} | {Rubric.NotApplicableStars} |", markdown, StringComparison.Ordinal);
        Assert.Contains($"<tr class=\"not-applicable\" data-criterion=\"{id}\"", HtmlReport.Render(Run), StringComparison.Ordinal);
        Assert.Contains("message=\"not applicable: ", JunitReport.Render(Run), StringComparison.Ordinal);
        Assert.Contains($"| {Rubric.NotApplicableStars} | {Rubric.NotApplicableLabel} |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheSubjectIsGatedInJunit()
    {
        var xml = System.Xml.Linq.XDocument.Parse(JunitReport.Render(Run));
        var suites = xml.Root!.Elements("testsuite").ToList();

        Assert.Equal(Run.Engines.Sum(r => r.Categories.Count), suites.Count);
        Assert.All(suites, s => Assert.Contains(Run.Engines, r => s.Attribute("name")!.Value.StartsWith(r.Engine.Name + ": ", StringComparison.Ordinal)));

        // Durable Task's EX-03 is below the bar (a core check failed), yet it is evidence, never a failure.
        Assert.True(DurableTask.Results.Single(r => r.Definition.Id == "EX-03").Rating.Stars < Rubric.Bar);
        var durableTaskFailures = suites.Where(s => s.Attribute("name")!.Value.StartsWith(Engines.DurableTask.Name, StringComparison.Ordinal))
            .Sum(s => int.Parse(s.Attribute("failures")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, durableTaskFailures);
        Assert.Contains(xml.Descendants("testcase"), c => c.Attribute("classname")!.Value == "DurableEval.durabletask.EX");

        // The subject's cases keep their classname and fail below the bar as before.
        Assert.Equal(JunitFailures(JunitReport.Render(Run.Subject)), JunitFailures(JunitReport.Render(Run)));
    }

    [Fact]
    public void ResultsJsonV3CarriesEveryEngineAndReadsBackToTheSameBytes()
    {
        var json = JsonReport.Render(Run);
        using (var document = JsonDocument.Parse(json))
        {
            var root = document.RootElement;
            Assert.Equal(3, root.GetProperty("schemaVersion").GetInt32());
            Assert.Equal("temporal", root.GetProperty("engine").GetProperty("id").GetString());
            Assert.True(root.GetProperty("engine").GetProperty("subject").GetBoolean());
            Assert.Equal(["durabletask", "agentframework"], root.GetProperty("otherEngines").EnumerateArray().Select(e => e.GetProperty("engine").GetProperty("id").GetString()));
        }

        var back = ResultsReader.ParseRun(json, "results.json");

        Assert.Equal(json, JsonReport.Render(back));
        Assert.Equal(MarkdownReport.Render(Run), MarkdownReport.Render(back));
        Assert.Equal(HtmlReport.Render(Run), HtmlReport.Render(back));
        Assert.Equal(JunitReport.Render(Run), JunitReport.Render(back));
    }

    [Fact]
    public void AVersion2FileStillReadsAsTemporals()
    {
        var v2 = File.ReadAllText(Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "SelfTests", "Fixtures", "results.v2.json"));

        var run = ResultsReader.ParseRun(v2, "results.v2.json");

        Assert.Single(run.Engines);
        Assert.Equal(Engines.Temporal, run.Subject.Engine);
        Assert.Equal(Catalog.All.Count, run.Subject.Results.Count);
        Assert.All(run.Subject.Results, r => Assert.Equal(Engines.Temporal, r.Engine));
        Assert.Equal(SyntheticEvidence.ReportWithPolicyAndBaseline().Overall.Stars, run.Subject.Overall.Stars);
    }

    [Fact]
    public void AnUnknownSchemaVersionOrEngineIsOneLine()
    {
        var json = JsonReport.Render(Run);

        var version = Assert.Throws<ResultsFileException>(() => ResultsReader.ParseRun(json.Replace("\"schemaVersion\": 3", "\"schemaVersion\": 1", StringComparison.Ordinal), "r.json"));
        var engine = Assert.Throws<ResultsFileException>(() => ResultsReader.ParseRun(json.Replace("\"id\": \"durabletask\"", "\"id\": \"nope\"", StringComparison.Ordinal), "r.json"));

        Assert.Contains("reads schemaVersion 3 (and 2)", version.Message, StringComparison.Ordinal);
        Assert.Equal("r.json: engine 'nope' is not one this DurableEval knows (temporal, durabletask, agentframework).", engine.Message);
    }

    [Fact]
    public void ABaselineIsComparedEngineByEngine()
    {
        var diff = BaselineDiff.Between("base.json", Run, DurableTask);
        var missing = Assert.Throws<ResultsFileException>(() => BaselineDiff.Between("base.json", RunReport.Single(Run.Subject), DurableTask));

        Assert.True(diff.IsEmpty);
        Assert.Equal("base.json: has no results for durabletask (it holds temporal); a baseline is compared engine by engine.", missing.Message);
        Assert.Throws<ArgumentException>(() => BaselineDiff.Between("base.json", Run.Subject, DurableTask));
    }

    [Fact]
    public void ThePublisherReportsTheSubjectAlwaysAndAnotherEngineWhenItsFactsRan()
    {
        Assert.Equal([Engines.Temporal], ReportPublisher.EnginesThatRan(new HashSet<FactKey> { FactKey.Temporal("EX-01") }));
        Assert.Equal([Engines.Temporal, Engines.AgentFramework], ReportPublisher.EnginesThatRan(new HashSet<FactKey> { new("agentframework", "EX-07") }));
        Assert.Equal(Engines.All, ReportPublisher.EnginesThatRan(new HashSet<FactKey> { new("durabletask", "EX-01"), new("agentframework", "EX-07"), FactKey.Temporal("EX-01") }));
    }

    [Fact]
    public void ThePublisherComposesOneReportPerEngineWithTheirPackagesInTheEnvironment()
    {
        var selected = new HashSet<FactKey> { FactKey.Temporal("EX-01"), new("durabletask", "EX-01") };
        var settings = Settings.FromEnvironment(new Dictionary<string, string>());

        var run = ReportPublisher.ComposeRun(settings, new Servers.ServerStats(), EvaluationProfile.Default, Policy.Default, selected, new OutcomeRecorder(), SyntheticEvidence.Clock, null);

        Assert.Equal(["temporal", "durabletask"], run.Engines.Select(r => r.Engine.Id));
        Assert.Equal(Catalog.All.Count, run.Others[0].Results.Count);
        Assert.All(run.Others[0].Results, r => Assert.Equal(Engines.DurableTask, r.Engine));
        var sdk = Assert.Single(run.Subject.Environment.EngineSdks);
        Assert.Equal("durabletask", sdk.Engine);
        Assert.Contains("Microsoft.DurableTask.Client 1.", sdk.Sdk, StringComparison.Ordinal);
        Assert.Contains(("Durable Task SDK", sdk.Sdk), run.Subject.Environment.Rows);
        Assert.Equal(run.Subject.Environment, run.Others[0].Environment);
    }

    [Fact]
    public void ATemporalOnlyRunKeepsItsEnvironmentRowsAndFingerprint()
    {
        Assert.Equal(7, SyntheticEvidence.Environment.Rows.Count);
        Assert.Equal("3f20147d1bac", SyntheticEvidence.Environment.Fingerprint);
    }

    private static string JunitFailures(string xml) =>
        string.Join("\n", System.Xml.Linq.XDocument.Parse(xml).Descendants("testcase")
            .Where(c => c.Element("failure") is not null)
            .Select(c => $"{c.Attribute("classname")!.Value} {c.Attribute("name")!.Value}"));

    [GeneratedRegex("<a id=\"([^\"]+)\"></a>")]
    private static partial Regex MarkdownAnchor();

    [GeneratedRegex(" id=\"([^\"]+)\"")]
    private static partial Regex HtmlId();

    [GeneratedRegex(@"\]\(#([^)]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("href=\"#([^\"]+)\"")]
    private static partial Regex HtmlLink();
}
