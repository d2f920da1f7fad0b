using System.Diagnostics;
using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Client;
using Temporalio.Testing;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    [SkippableFact]
    [Criterion("DX-03")]
    public async Task DX03_LocalDevelopment()
    {
        const string Id = "DX-03";
        const int Starts = 3;
        var maxStart = CriterionThresholds.Get(Id, "start_median_max");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("missing-server-fails-fast", "Starting the test environment from a server path that does not exist fails within seconds with a message naming the path"),
                Edge("unreachable-server-fails-fast", "A client for a closed port fails its first call within seconds with a message naming the connection failure"),
            ],
            async checks =>
            {
                var missing = Path.Combine(Path.GetTempPath(), $"durableeval-no-such-server-{Guid.NewGuid():N}");
                var watch = Stopwatch.StartNew();
                var startFailure = await FailureOfStartAsync(() => WorkflowEnvironment.StartTimeSkippingAsync(new() { TestServer = new() { ExistingPath = missing } }));
                var startMs = watch.Elapsed.TotalMilliseconds;
                checks.Expect(
                    "missing-server-fails-fast",
                    startFailure is not null && startFailure.Message.Contains(missing, StringComparison.Ordinal) && startMs < 10_000,
                    string.Create(CultureInfo.InvariantCulture, $"after {startMs:0} ms: {Observe.Describe(startFailure)}"));

                var lazy = TemporalClient.CreateLazy(new("127.0.0.1:1"));
                watch.Restart();
                var callFailure = await Observe.FailureOfAsync(() => lazy.Connection.WorkflowService.GetSystemInfoAsync(new(), new RpcOptions { Retry = false }));
                var callMs = watch.Elapsed.TotalMilliseconds;
                checks.Expect(
                    "unreachable-server-fails-fast",
                    callFailure is not null && callFailure.Message.Contains("Connection", StringComparison.OrdinalIgnoreCase) && callMs < 10_000,
                    string.Create(CultureInfo.InvariantCulture, $"after {callMs:0} ms: {Observe.Describe(callFailure)}"));
            });

        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("ts-one-call", $"WorkflowEnvironment.StartTimeSkippingAsync starts a working environment in one call; the median of {Starts} starts plus first workflow is ≤ {maxStart.Value.ToString(CultureInfo.InvariantCulture)} ms (DurableEval's threshold)"),
            ],
            async (server, checks) =>
            {
                var settings = Settings.Current;
                var starts = new List<double>();
                var firsts = new List<double>();
                var results = new List<string>();
                for (var i = 0; i < Starts; i++)
                {
                    var options = new WorkflowEnvironmentStartTimeSkippingOptions();
                    if (settings.TestServerPath is { } path)
                    {
                        options.TestServer = new TestServerOptions { ExistingPath = path, StartupTimeout = settings.ServerStartTimeout };
                    }

                    var watch = Stopwatch.StartNew();
                    await using var env = await Bounded.StartAsync(() => WorkflowEnvironment.StartTimeSkippingAsync(options), settings.ServerStartTimeout);
                    starts.Add(watch.Elapsed.TotalMilliseconds);
                    watch.Restart();
                    var queue = server.NewTaskQueue($"first{i}");
                    results.Add(await GreetingWorker.RunOnceAsync(env.Client, server.Options($"first{i}", queue), "local"));
                    firsts.Add(watch.Elapsed.TotalMilliseconds);
                }

                var total = starts.Zip(firsts, (s, f) => s + f).ToList();
                var median = LatencyStatistics.Median(total);
                checks.Expect(
                    "ts-one-call",
                    results.All(r => r == "Hello, local!") && median <= maxStart.Value,
                    string.Create(CultureInfo.InvariantCulture, $"start ms [{string.Join(", ", starts.Select(s => s.ToString("0", CultureInfo.InvariantCulture)))}], first workflow ms [{string.Join(", ", firsts.Select(s => s.ToString("0", CultureInfo.InvariantCulture)))}]; median total {median:0} ms; results {string.Join(", ", results.Distinct())}"));
                var method = new MetricMethod(Starts, 0, Starts, "median over fresh environments started one after another", $"{ServerNames.Of(server.Kind)} {server.Version} ({(settings.TestServerPath is null ? "SDK-downloaded" : Settings.TestServerPathVariable)})", "in-memory", "the minimal sample's worker, default options");
                fact.Metric("ts_start_median_ms", LatencyStatistics.Median(starts), "ms", method);
                fact.Metric("ts_first_workflow_median_ms", LatencyStatistics.Median(firsts), "ms", method);
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [Edge("dev-one-call", $"WorkflowEnvironment.StartLocalAsync starts a dev server in one call that runs a first workflow within {maxStart.Value.ToString(CultureInfo.InvariantCulture)} ms")],
            async (server, checks) =>
            {
                if (server.Kind != ServerKind.Dev)
                {
                    checks.NotRun("dev-one-call", Servers.WhyNotOn(server.Kind, ServerKind.Dev));
                    return;
                }

                // Headless: the shared dev server beside it owns the one UI port, and a CLI whose UI cannot bind exits.
                var watch = Stopwatch.StartNew();
                await using var env = await Bounded.StartAsync(() => WorkflowEnvironment.StartLocalAsync(DevServers.Options(Settings.Current, databaseFile: null)), Settings.Current.ServerStartTimeout);
                var queue = server.NewTaskQueue("devfirst");
                var result = await GreetingWorker.RunOnceAsync(env.Client, server.Options("devfirst", queue), "dev");
                var ms = watch.Elapsed.TotalMilliseconds;
                checks.Expect("dev-one-call", result == "Hello, dev!" && ms <= maxStart.Value, string.Create(CultureInfo.InvariantCulture, $"started and ran a first workflow in {ms:0} ms (\"{result}\")"));
                fact.Metric("dev_start_and_first_workflow_ms", ms, "ms");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Cite("WorkflowEnvironment.StartTimeSkippingAsync and StartLocalAsync each start a local server for tests in one call, downloading it on first use unless an existing path is given.", "https://docs.temporal.io/develop/dotnet/testing-suite");
        fact.Conclude();
    }

    private static async Task<Exception?> FailureOfStartAsync(Func<Task<WorkflowEnvironment>> start)
    {
        try
        {
            await using var env = await start();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or AggregateException)
        {
            return e;
        }
    }
}
