using System.Text.RegularExpressions;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// What lets criterion facts run in parallel lanes safely: the one list of facts that run alone, the lane and
/// pool settings, and a server pool that never holds more than its bound idle and leaks nothing.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed partial class ParallelRunTests
{
    [Fact]
    public void RunAloneNamesOnlyCatalogCriteriaWithAReason()
    {
        Assert.NotEmpty(RunAlone.Reasons);
        Assert.All(RunAlone.Reasons, r =>
        {
            Assert.Contains(Catalog.All, c => c.Id == r.Key);
            Assert.False(string.IsNullOrWhiteSpace(r.Value));
        });
    }

    [Fact]
    public void EveryPerformanceCriterionRunsAlone() =>
        Assert.All(Catalog.All.Where(c => c.Category == Categories.Performance), c => Assert.True(RunAlone.Applies(c.Id), $"{c.Id} is a performance criterion but not in {nameof(RunAlone)}"));

    [Fact]
    public void EveryTimeOrRateThresholdsCriterionRunsAlone() =>
        Assert.All(CriterionThresholds.All.Where(RunAlone.IsTimeOrRate), t => Assert.True(RunAlone.Applies(t.CriterionId), $"{t.CriterionId}'s threshold {t.Name} ({t.Unit}) bounds a time or rate, but {t.CriterionId} is not in {nameof(RunAlone)}"));

    [Fact]
    public void TimeOrRateTellsDurationsAndRatesFromCountsAndShares()
    {
        Assert.True(RunAlone.IsTimeOrRate(new Threshold("X-01", "p95", 200, "ms", "m")));
        Assert.True(RunAlone.IsTimeOrRate(new Threshold("X-01", "rate", 50, "activities/s", "m")));
        Assert.False(RunAlone.IsTimeOrRate(new Threshold("X-01", "lines", 40, "lines", "m")));
        Assert.False(RunAlone.IsTimeOrRate(new Threshold("X-01", "share", 0.5, "share", "m")));
    }

    /// <summary>A fact that kills worker processes (the kill protocol, or a kill during a model call) waits out real-time timeouts.</summary>
    [Fact]
    public void EveryKillProtocolFactRunsAlone()
    {
        var folder = Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "Criteria");
        var killing = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Select(File.ReadAllText)
            .Where(text => text.Contains("KillProtocol.RunAsync", StringComparison.Ordinal) || text.Contains("ModelCallKill.RunAsync", StringComparison.Ordinal))
            .SelectMany(text => CriterionIdPattern().Matches(text).Select(m => m.Groups[1].Value))
            .ToList();
        Assert.NotEmpty(killing);
        Assert.All(killing, id => Assert.True(RunAlone.Applies(id), $"{id} runs the kill protocol but is not in {nameof(RunAlone)}"));
    }

    [Theory]
    [InlineData(null, null, 0)]
    [InlineData("1", null, 1)]
    [InlineData("3", null, 3)]
    [InlineData("2", "0", 2)]
    [InlineData("1", "2", 1)]
    public void LanesAndPoolComeFromTheEnvironment(string? parallel, string? pool, int lanesOrZeroForDefault)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parallel is not null)
        {
            env[Settings.ParallelVariable] = parallel;
        }

        if (pool is not null)
        {
            env[Settings.ServerPoolVariable] = pool;
        }

        var settings = Settings.FromEnvironment(env);
        var lanes = lanesOrZeroForDefault == 0 ? Environment.ProcessorCount + 1 : lanesOrZeroForDefault;
        Assert.Equal(lanes, settings.Lanes);
        Assert.Equal(pool is null ? (lanes > 1 ? lanes : 0) : int.Parse(pool, System.Globalization.CultureInfo.InvariantCulture), settings.ServerPool);
    }

    [Theory]
    [InlineData("DURABLEEVAL_PARALLEL", "0")]
    [InlineData("DURABLEEVAL_PARALLEL", "two")]
    [InlineData("DURABLEEVAL_SERVER_POOL", "-1")]
    public void BadLaneOrPoolCountIsOneLineNamingTheVariable(string variable, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Settings.FromEnvironment(new Dictionary<string, string> { [variable] = value }));
        Assert.StartsWith($"{variable}='{value}'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task PoolStartsNothingBeforeTheFirstTake()
    {
        var servers = new FakeServers();
        await using (var pool = new ServerPool<FakeServer>(2, servers.StartAsync, servers.StopAsync))
        {
            Assert.Equal(0, pool.Started);
        }

        Assert.Equal(0, servers.Started);
    }

    [Fact]
    public async Task PoolKeepsAtMostItsBoundIdleAndStopsEveryServerItStarted()
    {
        var servers = new FakeServers();
        var pool = new ServerPool<FakeServer>(2, servers.StartAsync, servers.StopAsync);
        var first = await pool.TakeAsync();
        Assert.False(first.PreStarted);

        // The pool refills to two idle, one start at a time, and then stops.
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(servers.Started == 3), TimeSpan.FromSeconds(10)));
        await Task.Delay(200);
        Assert.Equal(3, servers.Started);
        // The block's own start had finished before the pool began refilling, so exactly one start ran at any moment.
        Assert.True(servers.MostAtOnce == 1, $"{servers.MostAtOnce} starts ran at once; the pool starts one at a time");

        var second = await pool.TakeAsync();
        Assert.True(second.PreStarted);
        Assert.NotSame(first.Server, second.Server);

        await servers.StopAsync(first.Server);
        await servers.StopAsync(second.Server);
        await pool.DisposeAsync();

        // Every server started is stopped: the taken ones by their blocks, the idle ones by the pool.
        Assert.Equal(servers.Started, servers.Stopped);
        Assert.Equal(0, servers.Running);
        Assert.Equal(servers.Started - 2, pool.StoppedUnused);
    }

    [Fact]
    public async Task PausedPoolStartsNothingMoreAndStillHandsOutWhatItHas()
    {
        var servers = new FakeServers();
        await using var pool = new ServerPool<FakeServer>(1, servers.StartAsync, servers.StopAsync);
        await servers.StopAsync((await pool.TakeAsync()).Server);
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(servers.Started == 2), TimeSpan.FromSeconds(10)));
        await pool.PauseAsync();
        var idle = await pool.TakeAsync();
        Assert.True(idle.PreStarted);
        await servers.StopAsync(idle.Server);
        await Task.Delay(200);
        Assert.Equal(2, servers.Started);
        pool.Resume();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(servers.Started == 3), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task FailedPreStartReachesTheBlockThatTakesIt()
    {
        var servers = new FakeServers { FailFrom = 2 };
        await using var pool = new ServerPool<FakeServer>(1, servers.StartAsync, servers.StopAsync);
        await servers.StopAsync((await pool.TakeAsync()).Server);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(pool.TakeAsync);
        Assert.Contains("start 2 failed", e.Message, StringComparison.Ordinal);
    }

    /// <summary>xUnit v2 disposes a collection fixture only through IAsyncLifetime or IDisposable (not IAsyncDisposable).</summary>
    [Fact]
    public void ServerFixtureIsDisposedByXunit() =>
        Assert.True(typeof(IAsyncLifetime).IsAssignableFrom(typeof(ServerFixture)), "xUnit v2 would never dispose the servers fixture, leaking its pool and shared servers");

    /// <summary>
    /// Live (skipped without DURABLEEVAL_TEST_SERVER_PATH): a fact that runs alone starts no server beside it even
    /// when it is the first to ask (the pool is created paused); two other blocks then leave the pool starting
    /// ahead; disposing the fixture as xUnit does leaves no test-server process of this test process behind.
    /// </summary>
    [SkippableFact]
    public async Task FixtureWithAPoolLeavesNoServerProcessBehind()
    {
        var path = Settings.Current.TestServerPath;
        Skip.If(path is null || !OperatingSystem.IsLinux(), $"needs {Settings.TestServerPathVariable} and /proc");
        var before = ChildProcesses.Count();
        var fixture = new ServerFixture(Settings.Current with { ServerPool = 2 }, new ServerStats());
        var (alone, aloneReason, _) = await fixture.AcquireAsync(ServerNeed.TimeSkipping, "PF-01");
        Assert.True(alone is not null, aloneReason);
        Assert.Equal(before + 1, ChildProcesses.Count());
        await alone.DisposeAsync();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(ChildProcesses.Count() == before), TimeSpan.FromSeconds(10)), "a server started beside a fact that runs alone");

        for (var i = 0; i < 2; i++)
        {
            var (lease, reason, _) = await fixture.AcquireAsync(ServerNeed.TimeSkipping, "EX-03");
            Assert.True(lease is not null, reason);
            await lease.DisposeAsync();
        }

        Assert.True(ChildProcesses.Count() > before, "the pool's idle servers run as child processes");
        await ((IAsyncLifetime)fixture).DisposeAsync();
        Assert.True(await Eventually.HoldsAsync(() => Task.FromResult(ChildProcesses.Count() == before), TimeSpan.FromSeconds(10)), $"{ChildProcesses.Count() - before} server process(es) left behind");
    }

    [GeneratedRegex("""\[Criterion\("([A-Z]{2}-\d{2})"\)\]""")]
    private static partial Regex CriterionIdPattern();

    private sealed class FakeServer
    {
        public bool Stopped { get; set; }
    }

    private sealed class FakeServers
    {
        private int started;
        private int stopped;
        private int starting;
        private int mostAtOnce;

        public int FailFrom { get; init; } = int.MaxValue;

        public int Started => Volatile.Read(ref started);

        public int Stopped => Volatile.Read(ref stopped);

        public int Running => Started - Stopped;

        public int MostAtOnce => Volatile.Read(ref mostAtOnce);

        public async Task<(FakeServer Server, string Note)> StartAsync()
        {
            var now = Interlocked.Increment(ref starting);
            InterlockedMax(ref mostAtOnce, now);
            try
            {
                await Task.Delay(20);
                var n = Interlocked.Increment(ref started);
                return n >= FailFrom ? throw new InvalidOperationException($"start {n} failed") : (new FakeServer(), string.Empty);
            }
            finally
            {
                Interlocked.Decrement(ref starting);
            }
        }

        public ValueTask StopAsync(FakeServer server)
        {
            Assert.False(server.Stopped, "a server was stopped twice");
            server.Stopped = true;
            Interlocked.Increment(ref stopped);
            return ValueTask.CompletedTask;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
