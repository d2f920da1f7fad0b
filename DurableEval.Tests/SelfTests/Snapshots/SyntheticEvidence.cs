using DurableEval.Evaluation;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>
/// A fixed evidence set exercising every state the report can show: rated at several levels, a fail-close
/// criterion below the bar, skipped with offline evidence, failed outside its checks, not selected, no fact.
/// </summary>
public static class SyntheticEvidence
{
    public static readonly DateTimeOffset Clock = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static readonly EnvironmentInfo Environment = new(
        "Temporalio 9.9.9",
        "time-skipping test server (version: synthetic; 3 starts)",
        "time-skipping server: in memory",
        "a fresh time-skipping server per block of checks: 3 starts, min 500 ms, median 600 ms, max 700 ms",
        "SyntheticOS 1.0",
        "x64",
        ".NET 10.0.0");

    public static readonly ServerInfo TimeSkipping = new("time-skipping test server", "synthetic", "fresh server per block");

    public static readonly ServerInfo Dev = new("dev server (Temporal CLI)", "synthetic-dev", "shared dev server");

    public const string NoTestServer = "time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH";

    public const string NoDevServer = "dev server unavailable; set DURABLEEVAL_CLI_PATH";

    // Two lanes, then the facts that run alone: lane 2 finished last, so it and the alone phase are the critical path.
    public static readonly RunCost Cost = new(TimeSpan.FromSeconds(95.4), 3, TimeSpan.FromMilliseconds(1800))
    {
        LaneCount = 2,
        ServerWaitTotal = TimeSpan.FromMilliseconds(650),
        PreStartedTaken = 2,
        PreStartedUnused = 1,
        Lanes =
        [
            new LaneRun("lane 1", TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(41.2), ["EX-02", "RT-01"]),
            new LaneRun("lane 2", TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(52.9), ["EX-03", "WF-05"]),
            new LaneRun(LaneRun.AloneLane, TimeSpan.FromSeconds(52.9), TimeSpan.FromSeconds(95.1), ["EX-01", "PF-01"]),
        ],
    };

    /// <param name="earlier">The "baseline" variant: the same run as it stood earlier (EX-03 passed, EX-01 recovered faster).</param>
    public static EvaluationReport Report(EvaluationProfile? profile = null, bool earlier = false)
    {
        var p = profile ?? EvaluationProfile.Default;
        var byId = new Dictionary<string, (FactOutcome Fact, CriterionEvidence? Evidence)>
        {
            ["EX-01"] = (Passed("EX01_ProgressGuarantee", 4.25), Evidence(
                "EX-01",
                [
                    Check("all-complete", CheckKind.Core, CheckOutcome.Passed, "3 of 3 results correct", TimeSkipping),
                    Check("no-rerun", CheckKind.Core, CheckOutcome.Passed, "step 1 executions 1, 1, 1", TimeSkipping),
                    Check("restart-survives", CheckKind.Production, CheckOutcome.Passed, "run resumed after a dev server restart", Dev),
                    Check("hard-kill", CheckKind.Production, CheckOutcome.NotRun, NoDevServer),
                ],
                [new Metric("recovery_ms", earlier ? 61.5 : 107.3012, "ms"), new Metric("steps", 3, "steps")],
                findings: ["Variant: in-process worker stop | weak"])),
            ["EX-02"] = (Passed("EX02_SideEffectGuarantee", 0.5), Evidence(
                "EX-02",
                [Check("at-least-once-visible", CheckKind.Core, CheckOutcome.Passed, "raw effects 2", TimeSkipping)],
                citations: [new Citation("Activities run at least once.", "https://docs.temporal.io/activities")])),
            ["EX-03"] = (earlier ? Passed("EX03_IdempotencyDeduplication", 1.5) : Failed("EX03_IdempotencyDeduplication", "EX-03 rated 2 stars", 1.75), Evidence(
                "EX-03",
                [
                    Check("duplicate-start-rejected", CheckKind.Core, earlier ? CheckOutcome.Passed : CheckOutcome.Failed, earlier ? "WorkflowAlreadyStartedException" : "no exception (accepted)", TimeSkipping),
                    Check("use-existing", CheckKind.Core, CheckOutcome.Passed, "same run id", TimeSkipping),
                    Check("update-id-deduplicated", CheckKind.Edge, CheckOutcome.Passed, "handler ran 1 time for 2 updates", TimeSkipping),
                ])),
            ["EX-04"] = (Failed("EX04_StatePersistence", "NullReferenceException after the checks", 2), Evidence(
                "EX-04",
                [Check("history-in-order", CheckKind.Core, CheckOutcome.Passed, "Started > Completed", TimeSkipping)])),
            ["EX-05"] = (Skipped("EX05_DeterminismConstraints", "server unavailable", 0.03), Evidence(
                "EX-05",
                [
                    Check("recorded-draw-replays", CheckKind.Core, CheckOutcome.Passed, "12 events replayed cleanly"),
                    Check("deterministic-apis-replay", CheckKind.Core, CheckOutcome.NotRun, NoTestServer),
                    Check("task-run-detected", CheckKind.Edge, CheckOutcome.NotRun, NoTestServer),
                ])),
            ["EX-06"] = (Skipped("EX06_DeterminismViolationHandling", "server unavailable", 0.02), null),
            ["EX-07"] = (new FactOutcome(FactState.NotSelected, "ExecutionSemanticsFacts.EX07_ReplayAccuracy", string.Empty), null),
            ["RT-01"] = (Passed("RT01_RetryStrategy", 12.5), Evidence(
                "RT-01",
                [
                    Check("backoff-follows-coefficient", CheckKind.Core, CheckOutcome.Passed, "gaps [10.2, 20.1, 40.3] s", TimeSkipping),
                    Check("backoff-capped", CheckKind.Core, CheckOutcome.Passed, "gaps [10.1, 15.2, 15] s", TimeSkipping),
                    Check("next-retry-delay-overrides", CheckKind.Edge, CheckOutcome.Passed, "5 s", TimeSkipping),
                ],
                [
                    new Metric("backoff_interval_1_s", 10.2, "s"), new Metric("backoff_interval_2_s", 20.1, "s"), new Metric("backoff_interval_3_s", 40.3, "s"),
                    new Metric("capped_interval_1_s", 10.1, "s"), new Metric("capped_interval_2_s", 15.2, "s"), new Metric("capped_interval_3_s", 15, "s"),
                ])),
            ["RT-03"] = (Passed("RT03_CircuitBreaker", 3.5), Evidence(
                "RT-03",
                [
                    Check("opens", CheckKind.Core, CheckOutcome.Passed, "0 calls while open", TimeSkipping),
                    Check("half-open", CheckKind.Edge, CheckOutcome.Passed, "1 probe after 30 s", TimeSkipping),
                ])),
            ["WF-03"] = (Passed("WF03_ParallelExecution", 6), Evidence(
                "WF-03",
                [
                    Check("fan-out-overlaps", CheckKind.Core, CheckOutcome.Passed, "peak 8 of 8 concurrently", TimeSkipping),
                    Check("failed-branch-isolated", CheckKind.Edge, CheckOutcome.Passed, "7 of 8 results kept after branch 3 failed", TimeSkipping),
                ],
                [
                    new Metric("peak_concurrency", 8, "activities"), new Metric("bounded_peak_concurrency", 3, "activities"),
                    new Metric("fanout_elapsed_ms", 412.5, "ms"), new Metric("fanout_activities_per_s", 19.4, "activities/s"),
                ])),
            ["OB-01"] = (Passed("OB01_DashboardUi", 0.01), Evidence(
                "OB-01",
                [Check("ui-serves", CheckKind.Core, CheckOutcome.NotRun, NoDevServer)],
                citations: [new Citation("The dev server ships a web UI.", "https://docs.temporal.io/web-ui")])),
        };

        var results = Catalog.All.Select(d => byId.TryGetValue(d.Id, out var x)
            ? Assessment.Assess(d, x.Fact, x.Evidence, p)
            : Assessment.Assess(d, FactOutcome.NoFact, null, p)).ToList();
        return EvaluationReport.Build(Clock, Environment, p, results) with { Cost = Cost };
    }

    /// <summary>A policy that raises EX-01 and the EX category and fails on regression.</summary>
    public static Policy StrictPolicy { get; } = PolicyLoader.Parse(
        """{"mode": "enforced", "minStars": 3, "categories": {"EX": 4}, "criteria": {"EX-01": 5}, "failOnRegression": true}""",
        "durableeval.policy.json");

    /// <summary>The synthetic report under <see cref="StrictPolicy"/>, against its earlier variant as the baseline.</summary>
    public static EvaluationReport ReportWithPolicyAndBaseline()
    {
        var earlier = Report(earlier: true) with { GeneratedAt = Clock.AddDays(-1) };
        var now = Report();
        return now.Apply(StrictPolicy, BaselineDiff.Between("reports/baseline/results.json", earlier, now));
    }

    public static readonly ServerInfo DurableTaskHost = new("durable task in-process test host", "synthetic-dt", "a fresh host per block");

    public const string NoNpm = "Azurite unavailable: npm was not found; install Node.js (npm) or set DURABLEEVAL_AZURITE_PATH";

    /// <summary>
    /// A run with three engines: Temporal's report above, Durable Task (rated, a failed core check, a check not run,
    /// a fact not selected) and Agent Framework workflows (rated; its scope's not-applicable criteria). Scope and
    /// support come from the engines' tables, so the expectations below are derived from them, never restated.
    /// </summary>
    public static RunReport MultiEngine(EvaluationProfile? profile = null)
    {
        var p = profile ?? EvaluationProfile.Default;
        var durableTask = OtherEngine(Engines.DurableTask, p, new()
        {
            ["EX-01"] = (Passed("DT.EX01_ProgressGuarantee", 2.5), Evidence(
                "EX-01",
                [
                    Check("all-complete", CheckKind.Core, CheckOutcome.Passed, "3 of 3 results correct", DurableTaskHost),
                    Check("no-rerun", CheckKind.Core, CheckOutcome.Passed, "step 1 executions 1, 1, 1", DurableTaskHost),
                    Check("hard-kill", CheckKind.Production, CheckOutcome.NotRun, NoNpm),
                    Check("restart-survives", CheckKind.Production, CheckOutcome.NotRun, NoNpm),
                ],
                [new Metric("recovery_ms", 1234.5, "ms")])),
            ["EX-03"] = (Failed("DT.EX03_InstanceIdDeduplication", "EX-03 rated 2 stars", 0.75), Evidence(
                "EX-03",
                [
                    Check("duplicate-start-rejected", CheckKind.Core, CheckOutcome.Failed, "second schedule accepted: no exception", DurableTaskHost),
                    Check("use-existing", CheckKind.Core, CheckOutcome.Passed, "same instance id", DurableTaskHost),
                ])),
            ["SG-02"] = (Passed("DT.SG02_WaitAwaitables", 1.25), Evidence(
                "SG-02",
                [
                    Check("wait-for-event", CheckKind.Core, CheckOutcome.Passed, "resumed on the raised event", DurableTaskHost),
                    Check("timeout-fires", CheckKind.Edge, CheckOutcome.Passed, "timer fired after 1 s (real time: the host has no time skipping)", DurableTaskHost),
                ])),
            ["RT-01"] = (new FactOutcome(FactState.NotSelected, "SyntheticFacts.DT.RT01_RetryStrategy", string.Empty), null),
        });
        var agentFramework = OtherEngine(Engines.AgentFramework, p, new()
        {
            ["EX-07"] = (Passed("AF.EX07_ResumeFromCheckpoint", 0.5), Evidence(
                "EX-07",
                [
                    Check("resumes-from-checkpoint", CheckKind.Core, CheckOutcome.Passed, "superstep 3 of 3 after resume"),
                    Check("no-rerun", CheckKind.Core, CheckOutcome.Passed, "executor A ran once"),
                ])),
            ["AI-01"] = (Skipped("AF.AI01_ModelCalls", "the loopback chat endpoint could not start", 0.1), null),
        });
        return new RunReport([Report(p), durableTask, agentFramework]);
    }

    private static EvaluationReport OtherEngine(Engine engine, EvaluationProfile p, Dictionary<string, (FactOutcome Fact, CriterionEvidence? Evidence)> byId)
    {
        var results = Catalog.All.Select(d => byId.TryGetValue(d.Id, out var x)
            ? Assessment.Assess(d, x.Fact, x.Evidence is { } e ? e with { Engine = engine.Id } : null, p, engine)
            : Assessment.Assess(d, FactOutcome.NoFact, null, p, engine)).ToList();
        return EvaluationReport.Build(Clock, Environment, p, results) with { Engine = engine };
    }

    private static FactOutcome Passed(string fact, double seconds) => new(FactState.Passed, "SyntheticFacts." + fact, string.Empty, TimeSpan.FromSeconds(seconds));

    private static FactOutcome Failed(string fact, string message, double seconds) => new(FactState.Failed, "SyntheticFacts." + fact, message, TimeSpan.FromSeconds(seconds));

    private static FactOutcome Skipped(string fact, string message, double seconds) => new(FactState.Skipped, "SyntheticFacts." + fact, message, TimeSpan.FromSeconds(seconds));

    private static CheckResult Check(string id, CheckKind kind, CheckOutcome outcome, string detail, ServerInfo? server = null) =>
        new(id, kind, $"Synthetic check {id}", outcome, detail, server);

    private static CriterionEvidence Evidence(
        string id,
        IReadOnlyList<CheckResult> checks,
        IReadOnlyList<Metric>? metrics = null,
        IReadOnlyList<Citation>? citations = null,
        IReadOnlyList<string>? findings = null) =>
        new(id, "SyntheticFacts." + id, checks, metrics ?? [], citations ?? [], findings ?? [],
            checks.Select(c => c.Server).OfType<ServerInfo>().FirstOrDefault());
}
