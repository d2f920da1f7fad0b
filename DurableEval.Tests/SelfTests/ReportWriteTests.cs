using System.Text.Json;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>Writing the report: both files, the same bytes for the same input, and one line naming the fix when it cannot.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ReportWriteTests
{
    private static readonly DateTimeOffset Clock = Snapshots.SyntheticEvidence.Clock;

    private static readonly EnvironmentInfo Machine = Snapshots.SyntheticEvidence.Environment;

    [Fact]
    public void UnwritableFolderFailsNamingTheVariable()
    {
        var file = Path.GetTempFileName();
        try
        {
            var directory = Path.Combine(file, "sub");

            var e = Assert.Throws<ReportWriteException>(() => ReportPublisher.Write(directory, Report()));

            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains(Settings.ReportsDirectoryVariable, e.Message, StringComparison.Ordinal);
            Assert.Contains(directory, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void WritesEveryFormatWithEveryCriterion()
    {
        WithDirectory(directory =>
        {
            ReportPublisher.Write(directory, Report());

            Assert.True(File.Exists(Path.Combine(directory, ReportPublisher.MarkdownFile)));
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ReportPublisher.JsonFile)));
            Assert.Equal(EvaluationReport.SchemaVersion, json.RootElement.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(58, json.RootElement.GetProperty("criteria").GetArrayLength());
            Assert.Equal(["REPORT.md", "junit.xml", "report.html", "results.json"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public void WritingTheSameReportTwiceGivesTheSameBytes()
    {
        WithDirectory(directory =>
        {
            ReportPublisher.Write(directory, Report());
            var markdown = File.ReadAllBytes(Path.Combine(directory, ReportPublisher.MarkdownFile));
            var json = File.ReadAllBytes(Path.Combine(directory, ReportPublisher.JsonFile));

            ReportPublisher.Write(directory, Report());

            Assert.NotEmpty(markdown);
            Assert.Equal(markdown, File.ReadAllBytes(Path.Combine(directory, ReportPublisher.MarkdownFile)));
            Assert.Equal(json, File.ReadAllBytes(Path.Combine(directory, ReportPublisher.JsonFile)));
        });
    }

    private static EvaluationReport Report() =>
        EvaluationReport.Build(
            Clock,
            Machine,
            EvaluationProfile.Default,
            Catalog.All.Select(d => Assessment.Assess(d, FactOutcome.NoFact, null, EvaluationProfile.Default)).ToList());

    private static void WithDirectory(Action<string> test)
    {
        var directory = Directory.CreateTempSubdirectory("durableeval-report-").FullName;
        try
        {
            test(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
