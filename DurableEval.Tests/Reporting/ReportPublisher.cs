using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;

namespace DurableEval.Tests.Reporting;

/// <summary>A report that could not be written: one line saying where and how to fix it.</summary>
public sealed class ReportWriteException(string message) : Exception(message);

/// <summary>An enforced policy that the run breaks: the run fails with the summary line.</summary>
public sealed class PolicyGateException(string message) : Exception(message);

/// <summary>Joins the catalog, the run's outcomes and the recorded evidence, and writes REPORT.md and results.json.</summary>
public static class ReportPublisher
{
    public const string MarkdownFile = "REPORT.md";
    public const string JsonFile = "results.json";
    public const string JunitFile = "junit.xml";
    public const string HtmlFile = "report.html";

    /// <summary>
    /// Writes the report when the run selected any criterion fact; returns the lines to show the user (none when no criterion fact was selected) (the verdict,
    /// what was evaluated, the most common not-run reason with its fix, the report's path).
    /// </summary>
    public static IReadOnlyList<string> Publish(Settings settings, IReadOnlySet<FactKey> selected, OutcomeRecorder outcomes, DateTimeOffset now, TimeSpan? wallTime = null, LaneLog? lanes = null)
    {
        if (selected.Count == 0)
        {
            // Self-test runs: nothing to say, and the last report stays as it was.
            return [];
        }

        var profile = settings.LoadProfile();
        var policy = PolicyFiles.Load(settings);
        var results = ResultsFor(Engines.Temporal, selected, outcomes, profile);
        var report = Compose(settings, ServerStats.Run, profile, policy, results, now, wallTime, lanes?.Lanes());
        Write(settings.ReportsDirectory, report);
        var lines = ConsoleSummary.Lines(report, Path.Combine(settings.ReportsDirectory, MarkdownFile))
            .Select(line => Redaction.Apply(line, Redaction.SecretsIn(settings.Environment))).ToList();
        // A fact already fails below its bar; a regression is seen only here, against the baseline, so it fails the run here.
        if (report.Policy.Fails && report.Policy.Violations.Any(v => v.IsRegression))
        {
            throw new PolicyGateException(lines[0] + " " + lines[1]);
        }

        return lines;
    }

    /// <summary>
    /// Every catalog criterion's result for <paramref name="engine"/>: its fact's outcome in this run (no fact, not
    /// selected, or what the runner reported) joined with the evidence the fact recorded, rated for that engine.
    /// </summary>
    public static List<CriterionResult> ResultsFor(Engine engine, IReadOnlySet<FactKey> selected, OutcomeRecorder outcomes, EvaluationProfile profile)
    {
        var facts = FactsInAssembly(typeof(ReportPublisher).Assembly);
        return Catalog.All.Select(definition =>
        {
            FactOutcome outcome;
            var key = new FactKey(engine.Id, definition.Id);
            if (!facts.TryGetValue(key, out var fact))
            {
                outcome = FactOutcome.NoFact;
            }
            else if (!selected.Contains(key))
            {
                outcome = new FactOutcome(FactState.NotSelected, fact, string.Empty);
            }
            else
            {
                outcome = outcomes.Find(key) ?? new FactOutcome(FactState.Skipped, fact, "the runner reported no outcome for this fact");
            }

            return Assessment.Assess(definition, outcome, EvidenceStore.Find(key), profile, engine);
        }).ToList();
    }

    /// <summary>
    /// The report every format renders: results, the environment and run cost from <paramref name="stats"/>, the policy
    /// and baseline applied, and every secret from the environment redacted before any renderer sees it.
    /// </summary>
    public static EvaluationReport Compose(
        Settings settings, ServerStats stats, EvaluationProfile profile, Policy policy, IReadOnlyList<CriterionResult> results, DateTimeOffset now, TimeSpan? wallTime,
        IReadOnlyList<LaneRun>? lanes = null)
    {
        var starts = stats.Starts;
        var waits = stats.Waits;
        var report = EvaluationReport.Build(now, DescribeEnvironment(stats, settings.ExternalAddress, settings.ServerPool), profile, results) with
        {
            Cost = new RunCost(wallTime, starts.Count, TimeSpan.FromMilliseconds(starts.Sum(s => s.StartMs)))
            {
                LaneCount = settings.Lanes,
                ServerWaitTotal = TimeSpan.FromMilliseconds(waits.Sum(w => w.WaitedMs)),
                PreStartedTaken = waits.Count(w => w.PreStarted),
                PreStartedUnused = stats.UnusedPreStarts,
                Lanes = lanes ?? [],
            },
        };
        report = report.Apply(policy, BaselineFor(settings, report));
        return Redaction.Apply(report, Redaction.SecretsIn(settings.Environment));
    }

    /// <summary>The diff against DURABLEEVAL_BASELINE's results.json, or null when the variable is not set.</summary>
    public static BaselineDiff? BaselineFor(Settings settings, EvaluationReport current)
    {
        if (!settings.Environment.TryGetValue(BaselineDiff.Variable, out var path) || string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            return BaselineDiff.Between(path.Trim(), ResultsReader.Load(path.Trim()), current);
        }
        catch (ResultsFileException e)
        {
            throw new ReportWriteException($"{BaselineDiff.Variable}: {e.Message} Point {BaselineDiff.Variable} at a results.json written by this version, or unset it.");
        }
    }

    /// <summary>Every [Criterion] fact in the assembly, by engine and criterion (the catalog self-test forbids duplicates).</summary>
    public static Dictionary<FactKey, string> FactsInAssembly(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods().Select(m => (Type: t, Method: m, Criterion: m.GetCustomAttribute<CriterionAttribute>())))
            .Where(x => x.Criterion is not null)
            .GroupBy(x => new FactKey(x.Criterion!.Engine, x.Criterion.Id))
            .ToDictionary(g => g.Key, g => $"{g.First().Type.Name}.{g.First().Method.Name}");

    public static void Write(string directory, EvaluationReport report)
    {
        try
        {
            Directory.CreateDirectory(directory);
            WriteAtomically(Path.Combine(directory, MarkdownFile), MarkdownReport.Render(report));
            WriteAtomically(Path.Combine(directory, JsonFile), JsonReport.Render(report));
            WriteAtomically(Path.Combine(directory, JunitFile), JunitReport.Render(report));
            WriteAtomically(Path.Combine(directory, HtmlFile), HtmlReport.Render(report));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportWriteException(
                $"DurableEval could not write its report to {directory} ({e.Message}); set {Settings.ReportsDirectoryVariable} to a writable folder.");
        }
    }

    // A half-written report is worse than none: write beside the target, then move over it.
    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }

    // An external server is named with its address, so two runs against different clusters can be told apart (compare).
    private static EnvironmentInfo DescribeEnvironment(ServerStats stats, string? externalAddress, int poolSize)
    {
        var starts = stats.Starts;
        var unavailable = stats.Unavailable;
        var used = starts.GroupBy(s => (s.Kind, s.Version)).OrderBy(g => g.Key.Kind)
            .Select(g => $"{ServerNames.Of(g.Key.Kind)}{(g.Key.Kind == ServerKind.External && externalAddress is not null ? " at " + externalAddress : string.Empty)} (version: {g.Key.Version}; {g.Count().ToString(CultureInfo.InvariantCulture)} starts)")
            .Concat(unavailable.OrderBy(u => u.Key).Select(u => u.Value))
            .ToList();
        var persistence = starts.Select(s => s.Kind).Distinct().OrderBy(k => k).Select(k => k switch
        {
            ServerKind.TimeSkipping => "time-skipping server: in memory",
            ServerKind.Dev => "dev server: SQLite (in memory, or a file for restart checks)",
            _ => "external server: its configured store",
        }).ToList();
        var timeSkipping = starts.Where(s => s.Kind == ServerKind.TimeSkipping).Select(s => s.StartMs).Order().ToList();
        var isolation = timeSkipping.Count == 0
            ? "no time-skipping server was started"
            : $"a fresh time-skipping server per block of checks: {timeSkipping.Count.ToString(CultureInfo.InvariantCulture)} starts, " +
              $"min {Ms(timeSkipping[0])}, median {Ms(timeSkipping[timeSkipping.Count / 2])}, max {Ms(timeSkipping[^1])}";
        var waits = stats.Waits;
        if (waits.Any(w => w.PreStarted))
        {
            var waited = waits.Where(w => w.PreStarted).Select(w => w.WaitedMs).Order().ToList();
            isolation += $"; {waited.Count.ToString(CultureInfo.InvariantCulture)} pre-started by a pool of at most {poolSize.ToString(CultureInfo.InvariantCulture)} idle servers " +
                $"(blocks waited min {Ms(waited[0])}, median {Ms(waited[waited.Count / 2])}, max {Ms(waited[^1])}), " +
                $"{waits.Count(w => !w.PreStarted).ToString(CultureInfo.InvariantCulture)} started on demand, {stats.UnusedPreStarts.ToString(CultureInfo.InvariantCulture)} started ahead and never used (stopped at the end)";
        }

        var retries = stats.Retries;
        if (retries.Count > 0)
        {
            isolation += $"; {retries.Count.ToString(CultureInfo.InvariantCulture)} start(s) retried once with a doubled bound (first: {retries[0].Cause})";
        }
        return new EnvironmentInfo(
            $"Temporalio {SdkVersion()}",
            used.Count == 0 ? "none asked for" : string.Join("; ", used),
            persistence.Count == 0 ? "none" : string.Join("; ", persistence),
            isolation,
            RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            RuntimeInformation.FrameworkDescription);
    }

    private static string Ms(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static string SdkVersion()
    {
        var assembly = typeof(Temporalio.Client.TemporalClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
