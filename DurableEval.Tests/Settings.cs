using System.Collections;
using System.Reflection;
using DurableEval.Evaluation;

namespace DurableEval.Tests;

/// <summary>Every environment variable DurableEval reads, read here and nowhere else (documented in README.md).</summary>
public sealed record Settings(
    string? TestServerPath,
    string? CliPath,
    bool ExternalConfigured,
    string? ExternalAddress,
    bool RequireServer,
    TimeSpan ServerStartTimeout,
    string ReportsDirectory,
    string? ProfilePath,
    bool RecordHistories,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string TestServerPathVariable = "DURABLEEVAL_TEST_SERVER_PATH";
    public const string CliPathVariable = "DURABLEEVAL_CLI_PATH";
    public const string RequireServerVariable = "DURABLEEVAL_REQUIRE_SERVER";
    public const string StartTimeoutVariable = "DURABLEEVAL_SERVER_START_TIMEOUT_SECONDS";
    public const string ReportsDirectoryVariable = "DURABLEEVAL_REPORTS_DIR";
    public const string RecordHistoriesVariable = "DURABLEEVAL_RECORD_HISTORIES";
    public const string ProfileFileName = "durableeval.profile.json";

    private static readonly Lazy<Settings> CurrentSettings = new(() => FromEnvironment(ProcessEnvironment()));

    public static Settings Current => CurrentSettings.Value;

    /// <summary>The repository root recorded at build time.</summary>
    public static string RepositoryRoot { get; } =
        typeof(Settings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "DurableEval.RepositoryRoot").Value!;

    public static string HistoriesDirectory => Path.Combine(RepositoryRoot, "DurableEval.Tests", "Criteria", "Histories");

    public static Settings FromEnvironment(IReadOnlyDictionary<string, string> env)
    {
        string? Get(string name) => env.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var timeout = TimeSpan.FromSeconds(120);
        if (Get(StartTimeoutVariable) is { } seconds)
        {
            timeout = double.TryParse(seconds, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s)
                : throw new InvalidOperationException($"{StartTimeoutVariable}='{seconds}' is not a positive number of seconds; set e.g. 120.");
        }

        var defaultProfile = Path.Combine(RepositoryRoot, ProfileFileName);
        return new Settings(
            Get(TestServerPathVariable),
            Get(CliPathVariable),
            Get("TEMPORAL_ADDRESS") is not null || Get("TEMPORAL_PROFILE") is not null,
            Get("TEMPORAL_ADDRESS"),
            Get(RequireServerVariable) is "1" or "true" or "yes",
            timeout,
            Get(ReportsDirectoryVariable) ?? Path.Combine(RepositoryRoot, "reports"),
            Get(ProfileLoader.FileVariable) ?? (File.Exists(defaultProfile) ? defaultProfile : null),
            Get(RecordHistoriesVariable) is "1" or "true" or "yes",
            env);
    }

    public EvaluationProfile LoadProfile() => ProfileLoader.Load(ProfilePath, Environment);

    /// <summary>This process's environment variables, as <see cref="FromEnvironment"/> reads them.</summary>
    public static Dictionary<string, string> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
}
