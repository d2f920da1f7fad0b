using System.Diagnostics;
using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Performance;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class PerformanceFacts
{
    [SkippableFact]
    [Criterion("PF-01")]
    public async Task PF01_StepLatency()
    {
        const string Id = "PF-01";
        const int WarmupSteps = 5;
        const int Steps = 40;
        const int Repeats = 3;
        const int RoundTripWarmup = 5;
        const int RoundTripsPerRepeat = 17;
        const int SlopeRepeats = 3;
        int[] stepCounts = [1, 5, 20, 50];
        var stepP95Max = CriterionThresholds.Get(Id, "step_p95_max");
        var r2Min = CriterionThresholds.Get(Id, "fit_r2_min");
        var localSpeedup = CriterionThresholds.Get(Id, "local_speedup_min");
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("regular-steps-measured", $"{Repeats} runs of {Steps} sequential regular activities complete and every step is timed"),
                Core("local-steps-measured", $"{Repeats} runs of {Steps} sequential local activities complete and every step is timed"),
                Core("local-faster", $"Local activities' per-step p95 is below regular activities' p95, and their p50 at least {localSpeedup.Value.ToString(CultureInfo.InvariantCulture)}x lower (same run, same worker)"),
                Edge("duration-linear", $"Workflow duration grows linearly with its step count over k = {string.Join(", ", stepCounts)} steps (r² ≥ {r2Min.Value.ToString(CultureInfo.InvariantCulture)}): a step costs the same late in a history as early, as it must when a platform does not re-read a growing history per step"),
                Edge("above-floor", "A regular step costs more than one transport round trip (GetSystemInfo), as a step needs several RPCs"),
                Edge("p95-within-threshold", $"Regular-step p95 ≤ {stepP95Max.Value.ToString(CultureInfo.InvariantCulture)} ms (DurableEval's threshold)"),
            ],
            async (server, checks) =>
            {
                var clock = new StepClock();
                var queue = server.NewTaskQueue("steps");
                var options = new TemporalWorkerOptions(queue).AddWorkflow<SequentialStepsWorkflow>().AddAllActivities(clock);
                await using var worker = RunningWorker.Start(server.Client, options);

                // The floor is sampled between the step runs, so it sees the same load from other processes as they do.
                var trips = new List<double>();
                await PerformanceMethod.RoundTripsAsync(server, RoundTripWarmup, 0, checks.Cancellation);

                async Task<(int Result, string Run, double Ms)> RunAsync(int steps, bool local, string purpose)
                {
                    var wfOptions = server.Options(purpose, queue);
                    var watch = Stopwatch.StartNew();
                    var result = await server.Client.ExecuteWorkflowAsync((SequentialStepsWorkflow w) => w.RunAsync(steps, local), wfOptions);
                    return (result, wfOptions.Id!, watch.Elapsed.TotalMilliseconds);
                }

                // Warm-up: JIT, connection, worker pollers and the server's own caches; thrown away.
                await RunAsync(WarmupSteps, local: false, "warmup-regular");
                await RunAsync(WarmupSteps, local: true, "warmup-local");

                // Interleaved so that noise from other processes on the shared cores lands on both kinds alike.
                var regularRuns = new List<(int Result, string Run, double Ms)>();
                var localRuns = new List<(int Result, string Run, double Ms)>();
                for (var r = 0; r < Repeats; r++)
                {
                    trips.AddRange(await PerformanceMethod.RoundTripsAsync(server, 0, RoundTripsPerRepeat, checks.Cancellation));
                    regularRuns.Add(await RunAsync(Steps, local: false, $"regular{r}"));
                    localRuns.Add(await RunAsync(Steps, local: true, $"local{r}"));
                }

                var regularGaps = regularRuns.SelectMany(r => clock.GapsMs(r.Run)).ToList();
                var localGaps = localRuns.SelectMany(r => clock.GapsMs(r.Run)).ToList();
                var expectedGaps = Repeats * (Steps - 1);
                checks.Expect(
                    "regular-steps-measured",
                    regularRuns.All(r => r.Result == Steps && clock.Count(r.Run) == Steps) && regularGaps.Count == expectedGaps && regularGaps.All(g => g > 0),
                    $"results [{string.Join(",", regularRuns.Select(r => r.Result))}], ticks per run [{string.Join(",", regularRuns.Select(r => clock.Count(r.Run)))}], {regularGaps.Count} of {expectedGaps} step gaps");
                checks.Expect(
                    "local-steps-measured",
                    localRuns.All(r => r.Result == Steps && clock.Count(r.Run) == Steps) && localGaps.Count == expectedGaps && localGaps.All(g => g > 0),
                    $"results [{string.Join(",", localRuns.Select(r => r.Result))}], ticks per run [{string.Join(",", localRuns.Select(r => clock.Count(r.Run)))}], {localGaps.Count} of {expectedGaps} step gaps");
                if (regularGaps.Count < 2 || localGaps.Count < 2)
                {
                    checks.NotRunRemaining("too few step gaps were measured to compute percentiles");

                    return;
                }

                var rtt = LatencyStatistics.Summarize(trips);
                var regular = LatencyStatistics.Summarize(regularGaps);
                var local = LatencyStatistics.Summarize(localGaps);
                checks.Expect(
                    "local-faster",
                    local.P95 < regular.P95 && regular.P50 >= localSpeedup.Value * local.P50,
                    string.Create(CultureInfo.InvariantCulture, $"local {local.Describe()}; regular {regular.Describe()}; p50 ratio {regular.P50 / local.P50:0.#}x"));

                // Duration against step count: the slope is the per-step cost, the intercept the start and result cost.
                var points = new List<(double X, double Y)>();
                var medians = new List<string>();
                foreach (var k in stepCounts)
                {
                    var durations = new List<double>();
                    for (var r = 0; r < SlopeRepeats; r++)
                    {
                        var run = await RunAsync(k, local: false, $"slope{k}-{r}");
                        durations.Add(run.Ms);
                    }

                    var median = LatencyStatistics.Median(durations);
                    points.Add((k, median));
                    medians.Add(string.Create(CultureInfo.InvariantCulture, $"k={k}: {median:0.#} ms"));
                }

                var fit = LatencyStatistics.Fit(points);
                // The slope against the directly measured gap is reported, not judged: across live runs it sat at
                // 0.5-0.6x on both sides of any fixed bar, a property of the two methods rather than of the platform.
                fact.Metric("slope_to_mean_gap_ratio", fit.Slope / regularGaps.Average(), "x");
                checks.Expect(
                    "duration-linear",
                    fit.RSquared >= r2Min.Value,
                    string.Create(CultureInfo.InvariantCulture, $"median durations {string.Join(", ", medians)}; fit {fit.Slope:0.##} ms/step + {fit.Intercept:0.#} ms, r² {fit.RSquared:0.###}; measured mean step gap {regularGaps.Average():0.##} ms (p50 {regular.P50:0.##})"));
                checks.Expect(
                    "above-floor",
                    regular.P50 > rtt.P50,
                    string.Create(CultureInfo.InvariantCulture, $"regular step p50 {regular.P50:0.##} ms = {regular.P50 / rtt.P50:0.#}x the GetSystemInfo round trip p50 {rtt.P50:0.###} ms"));
                checks.Expect(
                    "p95-within-threshold",
                    regular.P95 <= stepP95Max.Value,
                    string.Create(CultureInfo.InvariantCulture, $"regular step p95 {regular.P95:0.##} ms on the {ServerNames.Of(server.Kind)}"));

                var warmup = $"1 run of {WarmupSteps} steps per kind";
                var stepMethod = PerformanceMethod.Method(server, options, regularGaps.Count, 1, Repeats, $"gaps between consecutive no-op activity starts (worker wall clock), {Steps} steps per run; warm-up {warmup}");
                var localMethod = PerformanceMethod.Method(server, options, localGaps.Count, 1, Repeats, $"gaps between consecutive local activity starts (worker wall clock), {Steps} steps per run; warm-up {warmup}");
                var rttMethod = PerformanceMethod.Method(server, null, trips.Count, RoundTripWarmup, Repeats, $"GetSystemInfo round trip on the client's connection, {RoundTripsPerRepeat} before each repeat of the step runs");
                var fitMethod = PerformanceMethod.Method(server, options, points.Count * SlopeRepeats, 0, SlopeRepeats, $"least-squares fit of median workflow duration (start to result) over k = {string.Join(", ", stepCounts)} regular steps");
                Record(fact, "step_regular", regular, stepMethod);
                Record(fact, "step_local", local, localMethod);
                Record(fact, "rtt_getsysteminfo", rtt, rttMethod);
                fact.Metric("step_regular_p50_rtt_multiple", regular.P50 / rtt.P50, "x", stepMethod);
                fact.Metric("slope_ms_per_step", fit.Slope, "ms", fitMethod);
                fact.Metric("start_cost_ms", fit.Intercept, "ms", fitMethod);
                fact.Metric("fit_r2", fit.RSquared, "", fitMethod);
                fact.Finding(string.Create(CultureInfo.InvariantCulture, $"A regular activity step cost p50 {regular.P50:0.##} ms ({regular.P50 / rtt.P50:0.#}x the {rtt.P50:0.###} ms transport round trip), a local one {local.P50:0.##} ms ({regular.P50 / local.P50:0.#}x cheaper); starting a workflow and reading its result added about {fit.Intercept:0} ms."));
            });

        // A step's realistic cost includes the server writing it down: measured on a server that persists its state,
        // an external one when configured, else a dev server on a database file (the shared dev server is in memory).
        await fact.LiveAsync(
            ServerNeed.Persistent,
            [Production("persistent-server", $"Regular-step p95 ≤ {stepP95Max.Value.ToString(CultureInfo.InvariantCulture)} ms on a server that persists its state (a file-backed dev server or an external server), which is recorded")],
            async (server, checks) =>
            {
                var clock = new StepClock();
                var queue = server.NewTaskQueue("persisted");
                var options = new TemporalWorkerOptions(queue).AddWorkflow<SequentialStepsWorkflow>().AddAllActivities(clock);
                await using var worker = RunningWorker.Start(server.Client, options);
                await server.Client.ExecuteWorkflowAsync((SequentialStepsWorkflow w) => w.RunAsync(WarmupSteps, false), server.Options("persisted-warmup", queue));
                var runs = new List<string>();
                for (var r = 0; r < Repeats; r++)
                {
                    var wfOptions = server.Options($"persisted{r}", queue);
                    await server.Client.ExecuteWorkflowAsync((SequentialStepsWorkflow w) => w.RunAsync(Steps, false), wfOptions);
                    runs.Add(wfOptions.Id!);
                }

                var gaps = runs.SelectMany(id => clock.GapsMs(id)).ToList();
                // An external server's store is its operator's configuration, which no client call reveals: say so rather than
                // claim a persistence this run did not see.
                var store = server.Kind == ServerKind.External
                    ? "external server (its store is the operator's configuration, not visible to a client)"
                    : $"dev server on a database file ({server.Isolation})";
                if (gaps.Count < 2)
                {
                    checks.NotRun("persistent-server", $"too few step gaps were measured on the {store} to compute percentiles");
                    return;
                }

                var persisted = LatencyStatistics.Summarize(gaps);
                checks.Expect("persistent-server", persisted.P95 <= stepP95Max.Value, $"regular step {persisted.Describe()} on the {store}, version {server.Version}");
                Record(fact, "step_regular_persisted", persisted, PerformanceMethod.Method(server, options, gaps.Count, 1, Repeats, $"gaps between consecutive no-op activity starts (worker wall clock), {Steps} steps per run, on the {store}"));
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Finding("Timings come from a 2-core machine shared with other builds; the checks compare numbers taken in the same run with each other, which stays valid under that noise, while the absolute values move between runs.");
        fact.Cite("Temporal Cloud has a p99 latency SLO of 200 ms per region for normal worker requests (commands and polling); its published week-long StartWorkflowExecution latency was p50 14-20 ms, p99 69-78 ms.", "https://docs.temporal.io/cloud/service-availability");
        fact.Cite("Local activities run in the worker that runs the workflow and are recorded with a marker, without a server round trip per attempt.", "https://docs.temporal.io/local-activity");
        fact.Conclude();
    }

    private static void Record(Evidence.FactRecorder fact, string prefix, LatencySummary summary, MetricMethod method)
    {
        fact.Metric($"{prefix}_p50_ms", summary.P50, "ms", method);
        fact.Metric($"{prefix}_p95_ms", summary.P95, "ms", method);
        fact.Metric($"{prefix}_p99_ms", summary.P99, "ms", method);
        fact.Metric($"{prefix}_min_ms", summary.Min, "ms", method);
        fact.Metric($"{prefix}_max_ms", summary.Max, "ms", method);
    }
}
