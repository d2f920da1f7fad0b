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
    public const string ParallelVariable = "DURABLEEVAL_PARALLEL";
    public const string ServerPoolVariable = "DURABLEEVAL_SERVER_POOL";

    /// <summary>An azurite executable to run instead of installing Azurite from npm (Engines/DurableTask/AzuriteFixture).</summary>
    public const string AzuritePathVariable = "DURABLEEVAL_AZURITE_PATH";

    /// <summary>An Azure Storage account or emulator the Durable Task crash facts use as is, instead of Azurite.</summary>
    public const string AzureStorageConnectionStringVariable = "DURABLEEVAL_AZURE_STORAGE_CONNECTION_STRING";

    private static readonly Lazy<Settings> CurrentSettings = new(() => FromEnvironment(ProcessEnvironment()));

    public static Settings Current => CurrentSettings.Value;

    /// <summary>The repository root recorded at build time.</summary>
    public static string RepositoryRoot { get; } =
        typeof(Settings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "DurableEval.RepositoryRoot").Value!;

    /// <summary>
    /// How many lanes run criterion facts at once: one more than the processors unless DURABLEEVAL_PARALLEL says
    /// otherwise; 1 runs them one after another in xUnit's own order, as before lanes existed.
    /// </summary>
    public int Lanes { get; init; } = 1;

    /// <summary>The lane count when DURABLEEVAL_PARALLEL is unset.</summary>
    public static int DefaultLanes => System.Environment.ProcessorCount + 1;

    /// <summary>
    /// At most this many fresh time-skipping servers are started ahead of need and kept idle (DURABLEEVAL_SERVER_POOL);
    /// 0 starts each when a block asks for it. Defaults to the lane count when lanes run in parallel, else 0.
    /// </summary>
    public int ServerPool { get; init; }

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

        // One lane more than processors: a lane spends much of a fact waiting on its server and on real time, so on
        // 2 cores 3 lanes kept both busy (a full live run's lanes took 33 s against 40 s with 2 lanes).
        var lanes = Count(Get(ParallelVariable), ParallelVariable, 1, "1 runs the facts one after another") ?? DefaultLanes;
        var pool = Count(Get(ServerPoolVariable), ServerPoolVariable, 0, "0 turns the pool off") ?? (lanes > 1 ? lanes : 0);
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
            env)
        {
            Lanes = lanes,
            ServerPool = pool,
        };
    }

    // A count from the environment, or null when unset; bad input is one line saying what to set.
    private static int? Count(string? text, string variable, int minimum, string hint)
    {
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= minimum && n <= 64
            ? n
            : throw new InvalidOperationException($"{variable}='{text}' is not a whole number from {minimum} to 64; set e.g. {variable}=2 ({hint}).");
    }

    public EvaluationProfile LoadProfile() => ProfileLoader.Load(ProfilePath, Environment);

    /// <summary>This process's environment variables, as <see cref="FromEnvironment"/> reads them.</summary>
    public static Dictionary<string, string> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
}
