using System.Diagnostics;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Common.EnvConfig;
using Temporalio.Testing;

namespace DurableEval.Tests.Servers;

/// <summary>
/// The one place facts get servers. Lazy (a filtered run boots only what its facts ask for), bounded in time,
/// and it never throws: a server that cannot be had is remembered with a one-line reason naming the fix, and
/// the fact decides to skip (or fail, under DURABLEEVAL_REQUIRE_SERVER=1).
/// Time-skipping leases are a fresh server each: the shared server's clock and locks are fragile (a leaked
/// workflow task freezes skipping for everyone after); a fresh one costs about a second, which the pool
/// (ServerPool) spends ahead of need while other blocks run.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable, Xunit.IAsyncLifetime
{
    private readonly Settings settings;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ServerKind, string> unavailable = new();

    // Serializes leases on a shared server (dev, external: its first start, then each lease's version read);
    // fresh time-skipping servers start in parallel lanes without waiting for each other.
    private readonly SemaphoreSlim sharedGate = new(1, 1);
    private readonly Lock poolGate = new();
    private ServerPool<WorkflowEnvironment>? pool;

    // Set while a fact that runs alone holds the servers; a pool created then starts paused.
    private volatile bool poolPaused;
    private WorkflowEnvironment? sharedDev;
    private Uri? sharedDevUi;
    private WorkflowEnvironment? external;

    private readonly ServerStats stats;

    public ServerFixture()
        : this(Settings.Current, ServerStats.Run)
    {
    }

    internal ServerFixture(Settings settings, ServerStats? stats = null)
    {
        this.settings = settings;
        this.stats = stats ?? new ServerStats();
    }

    /// <summary>
    /// A lease on a server meeting the need, or the reason none can be had (with its fix). Misconfigured is true
    /// when a server the user configured cannot be used: that is an error of the run, not a reason to skip.
    /// </summary>
    public async Task<(ServerLease? Lease, string Reason, bool Misconfigured)> AcquireAsync(ServerNeed need, string criterionId)
    {
        // Nothing starts beside a fact that runs alone: the pool pauses for it and resumes for the next other fact.
        if (DurableEval.Evaluation.RunAlone.Applies(criterionId))
        {
            await PausePoolAsync();
        }
        else
        {
            ResumePool();
        }

        return await SelectAsync(Candidates(need, settings), kind => TryLeaseAsync(kind, need, criterionId), IsConfigured);
    }

    /// <summary>
    /// The selection itself: the first candidate that gives a lease wins; otherwise every candidate's reason, in
    /// order, and whether one the user configured failed. Separate from the starting so that the reasons printed
    /// for every combination of configured and available servers can be rendered offline (ServerReasonTableTests).
    /// </summary>
    internal static async Task<(T? Lease, string Reason, bool Misconfigured)> SelectAsync<T>(
        IEnumerable<ServerKind> candidates, Func<ServerKind, Task<(T? Lease, string Reason)>> tryLease, Func<ServerKind, bool> isConfigured)
        where T : class
    {
        var reasons = new List<string>();
        var misconfigured = false;
        foreach (var kind in candidates)
        {
            var (lease, reason) = await tryLease(kind);
            if (lease is not null)
            {
                return (lease, string.Empty, false);
            }

            reasons.Add(reason);
            misconfigured |= isConfigured(kind);
        }

        return (null, string.Join("; ", reasons), misconfigured);
    }

    /// <summary>
    /// Why a block that ran on <paramref name="ranOn"/> did not run on one of <paramref name="wanted"/>: one true
    /// clause per wanted kind (not configured, configured but unavailable and why, or configured but not chosen).
    /// </summary>
    public string WhyNotOn(ServerKind ranOn, params ServerKind[] wanted) => ServerReasons.NotOn(settings, ranOn, unavailable, wanted);

    /// <summary>
    /// Stops the pool starting servers ahead and waits for a start in progress, before a fact that must run
    /// alone; the servers already started stay available.
    /// </summary>
    internal Task PausePoolAsync()
    {
        poolPaused = true;
        return pool?.PauseAsync() ?? Task.CompletedTask;
    }

    internal void ResumePool()
    {
        poolPaused = false;
        pool?.Resume();
    }

    /// <summary>Lets the pool keep up to <paramref name="idle"/> servers ready (see <see cref="ServerPool{T}.Reserve"/>).</summary>
    internal void ReservePool(int idle) => pool?.Reserve(idle);

    // xUnit v2 disposes a collection fixture only through IAsyncLifetime or IDisposable, never IAsyncDisposable:
    // without these the shared dev server and the pool's idle servers outlived the run.
    Task Xunit.IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task Xunit.IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (pool is not null)
        {
            await pool.DisposeAsync();
            stats.RecordUnusedPreStarts(pool.StoppedUnused);
        }

        if (sharedDev is not null)
        {
            await sharedDev.DisposeAsync();
        }

        if (external is not null)
        {
            await external.DisposeAsync();
        }

        sharedGate.Dispose();
    }

    /// <summary>
    /// The kinds of server tried for a need, in order. A configured external server is what the user asked to
    /// evaluate, so it is the only candidate wherever it can serve. Without one: Any keeps the time-skipping
    /// server first (the core of most criteria runs there, fast and isolated) with the dev server as fallback
    /// only when a CLI was provided, so an offline run does not attempt two downloads; PreferFull puts a
    /// provided dev server first, so checks that need its extras (UI, persistence, real-time cost, the dev
    /// server itself) run when one is available, and falls back to the time-skipping server for the rest.
    /// </summary>
    internal static IReadOnlyList<ServerKind> Candidates(ServerNeed need, Settings settings) => need switch
    {
        ServerNeed.TimeSkipping => [ServerKind.TimeSkipping],
        ServerNeed.RestartableDev => [ServerKind.Dev],
        ServerNeed.Persistent => settings.ExternalConfigured ? [ServerKind.External] : [ServerKind.Dev],
        ServerNeed.Full => settings.ExternalConfigured ? [ServerKind.External] : [ServerKind.Dev],
        ServerNeed.PreferFull => settings.ExternalConfigured ? [ServerKind.External]
            : settings.CliPath is not null ? [ServerKind.Dev, ServerKind.TimeSkipping]
            : [ServerKind.TimeSkipping],
        _ => settings.ExternalConfigured ? [ServerKind.External]
            : settings.CliPath is not null ? [ServerKind.TimeSkipping, ServerKind.Dev]
            : [ServerKind.TimeSkipping],
    };

    /// <summary>Whether the user pointed DurableEval at this kind of server (so failing to use it is their error to fix).</summary>
    internal bool IsConfigured(ServerKind kind) => IsConfigured(settings, kind);

    internal static bool IsConfigured(Settings settings, ServerKind kind) => kind switch
    {
        ServerKind.TimeSkipping => settings.TestServerPath is not null,
        ServerKind.Dev => settings.CliPath is not null,
        _ => settings.ExternalConfigured,
    };

    private async Task<(ServerLease? Lease, string Reason)> TryLeaseAsync(ServerKind kind, ServerNeed need, string criterionId)
    {
        if (unavailable.TryGetValue(kind, out var known))
        {
            return (null, known);
        }

        try
        {
            var lease = kind switch
            {
                ServerKind.TimeSkipping => await StartTimeSkippingAsync(criterionId),
                ServerKind.Dev when need is ServerNeed.RestartableDev or ServerNeed.Persistent => await StartRestartableDevAsync(criterionId),
                ServerKind.Dev => await UnderSharedGateAsync(() => SharedDevAsync(criterionId)),
                _ => await UnderSharedGateAsync(() => ExternalAsync(criterionId)),
            };
            return (lease, string.Empty);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var reason = Explain(settings, kind, e);
            unavailable.TryAdd(kind, reason);
            stats.RecordUnavailable(kind, reason);
            return (null, reason);
        }
    }

    /// <summary>How long the SDK waits for a fresh server to answer, first and on the one retry.</summary>
    internal static readonly TimeSpan FirstReadiness = TimeSpan.FromSeconds(10);

    internal static readonly TimeSpan RetryReadiness = TimeSpan.FromSeconds(30);

    private WorkflowEnvironmentStartTimeSkippingOptions TimeSkippingOptions(TimeSpan readiness) => new()
    {
        TestServer = new TestServerOptions { ExistingPath = settings.TestServerPath, StartupTimeout = readiness },
    };

    private async Task<ServerLease> StartTimeSkippingAsync(string criterionId)
    {
        if (settings.TestServerPath is { } path)
        {
            ExecutablePath.Require(path, Settings.TestServerPathVariable, "a Temporal time-skipping test server");
        }

        var source = settings.TestServerPath is null ? "SDK-downloaded" : Settings.TestServerPathVariable;
        if (settings.ServerPool == 0)
        {
            var (environment, note, startMs) = await StartFreshTimeSkippingAsync();
            var version = await VersionOfAsync(environment);
            stats.RecordStart(ServerKind.TimeSkipping, version, startMs);
            stats.RecordWait(preStarted: false, startMs);
            return new ServerLease(
                environment, ServerKind.TimeSkipping, version,
                $"fresh time-skipping server ({source}) for this block, started in {startMs:0} ms{note}",
                ownsEnvironment: true, criterionId);
        }

        var take = await Pool().TakeAsync();
        var pooledVersion = await VersionOfAsync(take.Server);
        stats.RecordWait(take.PreStarted, take.WaitedMs);
        var how = take.PreStarted
            ? $"pre-started by the pool, started in {take.StartMs:0} ms, waited {take.WaitedMs:0} ms"
            : $"started on demand (no pre-started server idle) in {take.StartMs:0} ms";
        return new ServerLease(
            take.Server, ServerKind.TimeSkipping, pooledVersion,
            $"fresh time-skipping server ({source}) for this block, {how}{take.Note}",
            ownsEnvironment: true, criterionId);
    }

    private ServerPool<WorkflowEnvironment> Pool()
    {
        lock (poolGate)
        {
            if (pool is not null)
            {
                return pool;
            }

            pool = new ServerPool<WorkflowEnvironment>(
                settings.ServerPool,
                async () =>
                {
                    var (environment, note, startMs) = await StartFreshTimeSkippingAsync();
                    stats.RecordStart(ServerKind.TimeSkipping, await VersionOfAsync(environment), startMs);
                    return (environment, note);
                },
                environment => environment.DisposeAsync());
            if (poolPaused)
            {
                // Nothing is starting in a new pool, so this completes at once.
                _ = pool.PauseAsync();
            }

            return pool;
        }
    }

    // One slow or failed start of a fresh server must not make every later fact skip: retry once with a longer
    // bound (the SDK's own readiness wait included, 5 s by default, which a JVM on a loaded machine can miss), and
    // record the retry so the report shows it.
    private async Task<(WorkflowEnvironment Environment, string Note, double StartMs)> StartFreshTimeSkippingAsync()
    {
        var clock = Stopwatch.StartNew();
        WorkflowEnvironment environment;
        var retried = string.Empty;
        try
        {
            environment = await Bounded.StartAsync(() => WorkflowEnvironment.StartTimeSkippingAsync(TimeSkippingOptions(FirstReadiness)), settings.ServerStartTimeout);
        }
        catch (Exception first) when (first is not ServerConfigurationException and not OutOfMemoryException)
        {
            retried = $" after one retry (first start: {Trim(first.Message, 120)})";
            stats.RecordRetry(ServerKind.TimeSkipping, Trim(first.Message, 160));
            clock.Restart();
            environment = await Bounded.StartAsync(() => WorkflowEnvironment.StartTimeSkippingAsync(TimeSkippingOptions(RetryReadiness)), settings.ServerStartTimeout * 2);
        }

        return (environment, retried, clock.Elapsed.TotalMilliseconds);
    }

    private async Task<ServerLease> UnderSharedGateAsync(Func<Task<ServerLease>> lease)
    {
        await sharedGate.WaitAsync();
        try
        {
            return await lease();
        }
        finally
        {
            sharedGate.Release();
        }
    }

    private async Task<ServerLease> StartRestartableDevAsync(string criterionId)
    {
        var databaseFile = Path.Combine(Path.GetTempPath(), $"durableeval-{Guid.NewGuid():N}.db");
        var clock = Stopwatch.StartNew();
        var environment = await DevServers.StartWithDatabaseAsync(settings, databaseFile);
        var version = await VersionOfAsync(environment);
        stats.RecordStart(ServerKind.Dev, version, clock.Elapsed.TotalMilliseconds);
        return new ServerLease(
            environment, ServerKind.Dev, version, $"fresh dev server on database file {Path.GetFileName(databaseFile)}",
            ownsEnvironment: true, criterionId, restart: () => DevServers.StartWithDatabaseAsync(settings, databaseFile), databaseFile);
    }

    private async Task<ServerLease> SharedDevAsync(string criterionId)
    {
        if (sharedDev is null)
        {
            var clock = Stopwatch.StartNew();
            var uiPort = DevServers.FreeLoopbackPort();
            sharedDev = await Bounded.StartAsync(() => WorkflowEnvironment.StartLocalAsync(DevServers.Options(settings, databaseFile: null, uiPort)), settings.ServerStartTimeout);
            sharedDevUi = new Uri($"http://127.0.0.1:{uiPort}");
            stats.RecordStart(ServerKind.Dev, await VersionOfAsync(sharedDev), clock.Elapsed.TotalMilliseconds);
        }

        return new ServerLease(sharedDev, ServerKind.Dev, await VersionOfAsync(sharedDev),
            "shared dev server; the fact's open workflows are terminated afterwards", ownsEnvironment: false, criterionId, ui: sharedDevUi);
    }

    private async Task<ServerLease> ExternalAsync(string criterionId)
    {
        if (external is null)
        {
            ExternalAddress.Require(settings.ExternalAddress);
            var clock = Stopwatch.StartNew();
            external = await Bounded.StartAsync(() => WorkflowEnvironment.CreateFromEnvConfigAsync(
                new ClientEnvConfig.ProfileLoadOptions { OverrideEnvVars = settings.Environment }), settings.ServerStartTimeout);
            stats.RecordStart(ServerKind.External, await VersionOfAsync(external), clock.Elapsed.TotalMilliseconds);
        }

        return new ServerLease(external, ServerKind.External, await VersionOfAsync(external),
            "external server from Temporal's environment configuration; the fact's open workflows are terminated afterwards",
            ownsEnvironment: false, criterionId);
    }

    internal static async Task<string> VersionOfAsync(WorkflowEnvironment environment)
    {
        try
        {
            var info = await environment.Client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());
            return string.IsNullOrEmpty(info.ServerVersion) ? "not reported by the server" : info.ServerVersion;
        }
        catch (Temporalio.Exceptions.RpcException e)
        {
            return $"not reported ({e.Code})";
        }
    }

    // The fix comes first so that it survives any shortening of the line; the cause follows, trimmed.
    internal static string Explain(Settings settings, ServerKind kind, Exception e)
    {
        if (e is ServerConfigurationException)
        {
            return OneLine(e.Message);
        }

        var cause = Trim(e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message, 160);
        return kind switch
        {
            ServerKind.TimeSkipping when settings.TestServerPath is null =>
                $"time-skipping test server unavailable; set {Settings.TestServerPathVariable} to a pre-installed test server (the SDK's download failed: {cause})",
            ServerKind.TimeSkipping =>
                $"time-skipping test server at {Settings.TestServerPathVariable}={settings.TestServerPath} did not start (tried twice); point it at an executable serving Temporal's test-server protocol on the port given as its first argument, or unset it ({cause})",
            ServerKind.Dev when settings.CliPath is null =>
                $"dev server unavailable; set {Settings.CliPathVariable} to a pre-installed temporal CLI (the SDK's download failed: {cause})",
            ServerKind.Dev =>
                $"dev server at {Settings.CliPathVariable}={settings.CliPath} did not start; point it at the temporal CLI executable ({cause})",
            _ when ExternalCredentials.Refused(e) =>
                $"external server {ExternalWhere(settings)} refused this client's credentials; {ExternalCredentials.Fix(settings.Environment)} ({cause})",
            _ =>
                $"external server {ExternalWhere(settings)} unreachable; check the address, namespace and TLS/API-key settings, or unset TEMPORAL_ADDRESS/TEMPORAL_PROFILE ({cause})",
        };
    }

    private static string ExternalWhere(Settings settings) => settings.ExternalAddress is { } a ? "at TEMPORAL_ADDRESS=" + a : "from TEMPORAL_PROFILE";

    // Download errors carry a long URL whose query parameters say nothing to the reader.
    private static string Trim(string message, int length)
    {
        var line = System.Text.RegularExpressions.Regex.Replace(OneLine(message), @"(https?://[^\s?)]*)\?[^\s)]*", "$1");
        return line.Length <= length ? line : line[..(length - 3)] + "...";
    }

    internal static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 400 ? line : line[..397] + "...";
    }
}
