using System.Globalization;
using System.Text.Json;

namespace DurableEval.Evaluation;

/// <summary>A results.json that cannot be used (unreadable, another schema version, malformed); one line naming the file.</summary>
public sealed class ResultsFileException(string message) : Exception(message);

/// <summary>
/// Reads a results.json written by <see cref="JsonReport"/> back into the report model, so the baseline diff, the
/// CLI's render, compare and gate work from the source of truth without re-running anything. Ratings, coverage and
/// fail-close are taken as recorded, never recomputed; category summaries and the overall are rebuilt from them by
/// the same pure function that built them.
/// </summary>
public static class ResultsReader
{
    /// <summary>The subject engine's report from a results.json (version 2 or 3).</summary>
    public static EvaluationReport Load(string path) => LoadRun(path).Subject;

    /// <summary>Every engine's report from a results.json: version 3 as written, version 2 as a Temporal-only run.</summary>
    public static RunReport LoadRun(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFileException($"{path}: cannot be read ({e.Message}).");
        }

        return ParseRun(text, path);
    }

    /// <summary>The subject engine's report from results.json text.</summary>
    public static EvaluationReport Parse(string text, string origin) => ParseRun(text, origin).Subject;

    public static RunReport ParseRun(string text, string origin)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var version = root.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
            if (version is not (EvaluationReport.SchemaVersion or EvaluationReport.PreviousSchemaVersion))
            {
                throw new ResultsFileException(
                    $"{origin}: schemaVersion {version.ToString(CultureInfo.InvariantCulture)}, but this DurableEval reads schemaVersion {EvaluationReport.SchemaVersion.ToString(CultureInfo.InvariantCulture)} " +
                    $"(and {EvaluationReport.PreviousSchemaVersion.ToString(CultureInfo.InvariantCulture)}); re-run the evaluation that produced it with this version.");
            }

            // Version 2 had no engine: it was Temporal's.
            var subject = version == EvaluationReport.PreviousSchemaVersion ? Engines.Temporal : EngineOf(root, origin);
            if (!subject.IsSubject)
            {
                throw new ResultsFileException($"{origin}: the root report is {subject.Id}'s, but a results.json's root is the subject engine's ({Engines.Temporal.Id}).");
            }

            var generatedAt = DateTimeOffset.Parse(root.GetProperty("generatedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var environment = Environment(root.GetProperty("environment"));
            var profile = Profile(root.GetProperty("profile"));
            var results = Results(root, subject, origin);
            var report = EvaluationReport.Build(generatedAt, environment, profile, results) with { Engine = subject };
            var reports = new List<EvaluationReport>
            {
                report with { Cost = Cost(root.GetProperty("cost")), Policy = PolicyOf(root.GetProperty("policy"), results) },
            };
            if (root.TryGetProperty("otherEngines", out var others))
            {
                foreach (var other in others.EnumerateArray())
                {
                    var engine = EngineOf(other, origin);
                    reports.Add(EvaluationReport.Build(generatedAt, environment, profile, Results(other, engine, origin)) with { Engine = engine });
                }
            }

            return new RunReport(reports);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ResultsFileException($"{origin}: not a DurableEval results.json ({e.Message.ReplaceLineEndings(" ")}).");
        }
    }

    private static Engine EngineOf(JsonElement report, string origin)
    {
        var id = S(report.GetProperty("engine"), "id");
        return Engines.Find(id) ?? throw new ResultsFileException($"{origin}: engine '{id}' is not one this DurableEval knows ({Engines.Ids}).");
    }

    private static List<CriterionResult> Results(JsonElement report, Engine engine, string origin) =>
        report.GetProperty("criteria").EnumerateArray().Select(c => Criterion(c, origin) with { Engine = engine }).ToList();

    private static EnvironmentInfo Environment(JsonElement e) => new(
        S(e, "sdk"), S(e, "servers"), S(e, "persistence"), S(e, "isolation"), S(e, "os"), S(e, "architecture"), S(e, "dotnet"))
    {
        EngineSdks = e.TryGetProperty("engineSdks", out var sdks) ? sdks.EnumerateObject().Select(x => (x.Name, x.Value.GetString() ?? string.Empty)).ToList() : [],
    };

    private static EvaluationProfile Profile(JsonElement p)
    {
        var duration = Enum.Parse<WorkflowDuration>(S(p, "duration"), ignoreCase: true);
        return new EvaluationProfile(duration, S(p, "sideEffects"), S(p, "deployment"), S(p, "scale"), S(p, "determinism"), S(p, "language"), S(p, "source"));
    }

    // Lanes, waits and the pool came later in version 2: a file written before them reads as one lane with no waits.
    private static RunCost Cost(JsonElement c) => new(
        c.GetProperty("wallTimeMs").ValueKind == JsonValueKind.Null ? null : TimeSpan.FromMilliseconds(c.GetProperty("wallTimeMs").GetDouble()),
        c.GetProperty("serverStarts").GetInt32(),
        TimeSpan.FromMilliseconds(c.GetProperty("serverStartMs").GetDouble()))
    {
        LaneCount = c.TryGetProperty("lanes", out var lanes) ? lanes.GetInt32() : 1,
        ServerWaitTotal = TimeSpan.FromMilliseconds(c.TryGetProperty("serverWaitMs", out var wait) ? wait.GetDouble() : 0),
        PreStartedTaken = c.TryGetProperty("preStartedTaken", out var taken) ? taken.GetInt32() : 0,
        PreStartedUnused = c.TryGetProperty("preStartedUnused", out var unused) ? unused.GetInt32() : 0,
        Lanes = c.TryGetProperty("laneRuns", out var runs)
            ? runs.EnumerateArray().Select(l => new LaneRun(
                S(l, "lane"),
                TimeSpan.FromMilliseconds(l.GetProperty("startMs").GetDouble()),
                TimeSpan.FromMilliseconds(l.GetProperty("endMs").GetDouble()),
                l.GetProperty("criteria").EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList())).ToList()
            : [],
    };

    private static PolicyOutcome PolicyOf(JsonElement p, IReadOnlyList<CriterionResult> results)
    {
        static Dictionary<string, int> Bars(JsonElement e) =>
            e.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetInt32(), StringComparer.Ordinal);
        var policy = new Policy(
            S(p, "mode") == "disabled" ? PolicyMode.Disabled : PolicyMode.Enforced,
            p.GetProperty("minStars").GetInt32(),
            Bars(p.GetProperty("categories")),
            Bars(p.GetProperty("criteria")),
            p.GetProperty("failOnRegression").GetBoolean(),
            S(p, "source"));
        var violations = p.GetProperty("violations").EnumerateArray().Select(x => new PolicyViolation(S(x, "criterion"), S(x, "what"), x.GetProperty("regression").GetBoolean())).ToList();
        return new PolicyOutcome(policy, violations);
    }

    private static CriterionResult Criterion(JsonElement c, string origin)
    {
        var id = S(c, "id");
        var definition = Catalog.Find(id) ?? throw new ResultsFileException($"{origin}: criterion '{id}' is not in this DurableEval's catalog.");
        var fact = c.GetProperty("fact");
        var outcome = new FactOutcome(
            Enum.Parse<FactState>(S(fact, "state"), ignoreCase: true),
            S(fact, "name"),
            S(fact, "message"),
            fact.GetProperty("durationMs").ValueKind == JsonValueKind.Null ? null : TimeSpan.FromMilliseconds(fact.GetProperty("durationMs").GetDouble()));
        CriterionEvidence? evidence = null;
        if (c.TryGetProperty("checks", out var checks))
        {
            evidence = new CriterionEvidence(
                id,
                outcome.Fact,
                checks.EnumerateArray().Select(Check).ToList(),
                c.GetProperty("metrics").EnumerateArray().Select(m => new Metric(S(m, "name"), m.GetProperty("value").GetDouble(), S(m, "unit"))).ToList(),
                c.GetProperty("citations").EnumerateArray().Select(x => new Citation(S(x, "statement"), S(x, "source"))).ToList(),
                c.GetProperty("findings").EnumerateArray().Select(x => x.GetString()!).ToList(),
                c.TryGetProperty("server", out var server) ? Server(server) : null);
        }

        var stars = c.GetProperty("stars");
        var rating = new Rating(stars.ValueKind == JsonValueKind.Null ? null : stars.GetInt32(), S(c, "label"), S(c, "reason"));
        var coverage = Enum.GetValues<Coverage>().First(v => MarkdownReport.CoverageText(v) == S(c, "coverage"));
        return new CriterionResult(definition, outcome, evidence, rating, c.GetProperty("failCloseApplies").GetBoolean(), coverage)
        {
            PolicyBar = c.GetProperty("policyBar").GetInt32(),
        };
    }

    private static CheckResult Check(JsonElement c)
    {
        var outcome = S(c, "outcome") switch
        {
            "passed" => CheckOutcome.Passed,
            "failed" => CheckOutcome.Failed,
            "not run" => CheckOutcome.NotRun,
            var other => throw new FormatException($"unknown check outcome '{other}'"),
        };
        var server = c.GetProperty("server");
        return new CheckResult(
            S(c, "id"),
            Enum.Parse<CheckKind>(S(c, "kind"), ignoreCase: true),
            S(c, "description"),
            outcome,
            S(c, "detail"),
            server.ValueKind == JsonValueKind.Null ? null : Server(server));
    }

    private static ServerInfo Server(JsonElement s) => new(S(s, "kind"), S(s, "version"), S(s, "isolation"));

    private static string S(JsonElement e, string name) =>
        e.GetProperty(name).GetString() ?? throw new FormatException($"field '{name}' is null");
}
