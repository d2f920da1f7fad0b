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
        var run = ComposeRun(settings, ServerStats.Run, profile, policy, selected, outcomes, now, wallTime, lanes?.Lanes());
        Write(settings.ReportsDirectory, run);
        var lines = ConsoleSummary.Lines(run, Path.Combine(settings.ReportsDirectory, MarkdownFile))
            .Select(line => Redaction.Apply(line, Redaction.SecretsIn(settings.Environment))).ToList();
        // A fact already fails below its bar; a regression is seen only here, against the baseline, so it fails the
        // run here. Only the subject engine is gated.
        var report = run.Subject;
        if (report.Policy.Fails && report.Policy.Violations.Any(v => v.IsRegression))
        {
            throw new PolicyGateException(lines[0] + " " + lines[^1]);
        }

        return lines;
    }

    /// <summary>
    /// The engines this run has evidence for: the subject always (a run filtered to another engine still says what it
    /// did not evaluate of Temporal, and why), and every other engine with a fact selected in this run.
    /// </summary>
    public static IReadOnlyList<Engine> EnginesThatRan(IReadOnlySet<FactKey> selected) =>
        Engines.All.Where(e => e.IsSubject || selected.Any(k => string.Equals(k.Engine, e.Id, StringComparison.Ordinal))).ToList();

    /// <summary>
    /// One report per engine that ran (<see cref="EnginesThatRan"/>), subject first. The subject's is
    /// <see cref="Compose"/>'s (policy and baseline applied, run cost); another engine's is its results only: it is
    /// never gated nor diffed. Every report carries the same environment, with the other engines' SDKs and hosts.
    /// </summary>
    public static RunReport ComposeRun(
        Settings settings, ServerStats stats, EvaluationProfile profile, Policy policy, IReadOnlySet<FactKey> selected, OutcomeRecorder outcomes,
        DateTimeOffset now, TimeSpan? wallTime, IReadOnlyList<LaneRun>? lanes = null)
    {
        var engines = EnginesThatRan(selected);
        var others = engines.Where(e => !e.IsSubject)
            .Select(e => EvaluationReport.Build(now, EnvironmentInfoPlaceholder, profile, ResultsFor(e, selected, outcomes, profile)) with { Engine = e })
            .ToList();
        var subject = Compose(settings, stats, profile, policy, ResultsFor(Engines.Temporal, selected, outcomes, profile), now, wallTime, lanes);
        var environment = subject.Environment with { EngineSdks = others.Select(r => (r.Engine.Id, EngineSdk(r))).ToList() };
        var secrets = Redaction.SecretsIn(settings.Environment);
        return new RunReport([subject with { Environment = environment }, .. others.Select(r => Redaction.Apply(r with { Environment = environment }, secrets))]);
    }

    // Replaced by the run's environment in ComposeRun; never rendered.
    private static readonly EnvironmentInfo EnvironmentInfoPlaceholder = new(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);

    /// <summary>
    /// The packages an engine was measured with, read from their loaded assemblies (a package not loaded is named as
    /// such, never guessed), and the hosts its facts used, from its evidence: "Microsoft.DurableTask.Client 1.28.0,
    /// ...; hosts: durable task in-process test host (version 0.2.3-preview.1)".
    /// </summary>
    public static string EngineSdk(EvaluationReport report)
    {
        var packages = PackagesOf(report.Engine).Select(name => $"{name} {AssemblyVersion(name)}");
        var hosts = report.Results.Where(r => r.Evidence is not null).SelectMany(r => r.Evidence!.ServersUsed)
            .Select(s => $"{s.Kind} (version {s.Version})").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return string.Join(", ", packages) + (hosts.Count > 0 ? "; hosts: " + string.Join(", ", hosts) : string.Empty);
    }

    /// <summary>The assemblies (named as their packages' main assembly) that carry an engine other than Temporal.</summary>
    public static IReadOnlyList<string> PackagesOf(Engine engine) => engine.Id switch
    {
        "durabletask" => ["Microsoft.DurableTask.Client", "Microsoft.DurableTask.Worker", "Microsoft.DurableTask.InProcessTestHost", "DurableTask.Core", "DurableTask.AzureStorage"],
        "agentframework" => ["Microsoft.Agents.AI.Workflows"],
        _ => [],
    };

    private static string AssemblyVersion(string name)
    {
        try
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "version unknown";
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return "(not loaded)";
        }
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
            return BaselineDiff.Between(path.Trim(), ResultsReader.LoadRun(path.Trim()), current);
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

    public static void Write(string directory, EvaluationReport report) => Write(directory, RunReport.Single(report));

    /// <summary>REPORT.md, results.json, junit.xml and report.html for every engine that ran: one report set per run.</summary>
    public static void Write(string directory, RunReport run)
    {
        try
        {
            Directory.CreateDirectory(directory);
            WriteAtomically(Path.Combine(directory, MarkdownFile), MarkdownReport.Render(run));
            WriteAtomically(Path.Combine(directory, JsonFile), JsonReport.Render(run));
            WriteAtomically(Path.Combine(directory, JunitFile), JunitReport.Render(run));
            WriteAtomically(Path.Combine(directory, HtmlFile), HtmlReport.Render(run));
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
