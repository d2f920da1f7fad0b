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

    public static EvaluationReport Report(EvaluationProfile? profile = null)
    {
        var p = profile ?? EvaluationProfile.Default;
        var byId = new Dictionary<string, (FactOutcome Fact, CriterionEvidence? Evidence)>
        {
            ["EX-01"] = (Passed("EX01_ProgressGuarantee"), Evidence(
                "EX-01",
                [
                    Check("all-complete", CheckKind.Core, CheckOutcome.Passed, "3 of 3 results correct"),
                    Check("no-rerun", CheckKind.Core, CheckOutcome.Passed, "step 1 executions 1, 1, 1"),
                    Check("hard-kill", CheckKind.Production, CheckOutcome.NotRun, "separate-process kill not built"),
                ],
                [new Metric("recovery_ms", 107.3012, "ms")],
                findings: ["Variant: in-process worker stop | weak"])),
            ["EX-02"] = (Passed("EX02_SideEffectGuarantee"), Evidence(
                "EX-02",
                [Check("at-least-once-visible", CheckKind.Core, CheckOutcome.Passed, "raw effects 2")],
                citations: [new Citation("Activities run at least once.", "https://docs.temporal.io/activities")])),
            ["EX-03"] = (Failed("EX03_IdempotencyDeduplication", "EX-03 rated 2 stars"), Evidence(
                "EX-03",
                [
                    Check("duplicate-start-rejected", CheckKind.Core, CheckOutcome.Failed, "no exception (accepted)"),
                    Check("use-existing", CheckKind.Core, CheckOutcome.Passed, "same run id"),
                ])),
            ["EX-04"] = (Failed("EX04_StatePersistence", "NullReferenceException after the checks"), Evidence(
                "EX-04",
                [Check("history-in-order", CheckKind.Core, CheckOutcome.Passed, "Started > Completed")])),
            ["EX-05"] = (Skipped("EX05_DeterminismConstraints", "server unavailable"), Evidence(
                "EX-05",
                [
                    Check("recorded-draw-replays", CheckKind.Core, CheckOutcome.Passed, "12 events replayed cleanly"),
                    Check("deterministic-apis-replay", CheckKind.Core, CheckOutcome.NotRun, "time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH"),
                ])),
            ["EX-06"] = (Skipped("EX06_DeterminismViolationHandling", "server unavailable"), null),
            ["EX-07"] = (new FactOutcome(FactState.NotSelected, "ExecutionSemanticsFacts.EX07_ReplayAccuracy", string.Empty), null),
            ["RT-03"] = (Passed("RT03_CircuitBreaker"), Evidence(
                "RT-03",
                [
                    Check("opens", CheckKind.Core, CheckOutcome.Passed, "0 calls while open"),
                    Check("half-open", CheckKind.Edge, CheckOutcome.Passed, "1 probe after 30 s"),
                ])),
            ["OB-01"] = (Passed("OB01_DashboardUi"), Evidence(
                "OB-01",
                [Check("ui-serves", CheckKind.Core, CheckOutcome.NotRun, "dev server unavailable")],
                citations: [new Citation("The dev server ships a web UI.", "https://docs.temporal.io/web-ui")])),
        };

        var results = Catalog.All.Select(d => byId.TryGetValue(d.Id, out var x)
            ? Assessment.Assess(d, x.Fact, x.Evidence, p)
            : Assessment.Assess(d, FactOutcome.NoFact, null, p)).ToList();
        return EvaluationReport.Build(Clock, Environment, p, results);
    }

    private static FactOutcome Passed(string fact) => new(FactState.Passed, "SyntheticFacts." + fact, string.Empty);

    private static FactOutcome Failed(string fact, string message) => new(FactState.Failed, "SyntheticFacts." + fact, message);

    private static FactOutcome Skipped(string fact, string message) => new(FactState.Skipped, "SyntheticFacts." + fact, message);

    private static CheckResult Check(string id, CheckKind kind, CheckOutcome outcome, string detail) =>
        new(id, kind, $"Synthetic check {id}", outcome, detail);

    private static CriterionEvidence Evidence(
        string id,
        IReadOnlyList<CheckResult> checks,
        IReadOnlyList<Metric>? metrics = null,
        IReadOnlyList<Citation>? citations = null,
        IReadOnlyList<string>? findings = null) =>
        new(id, "SyntheticFacts." + id, checks, metrics ?? [], citations ?? [], findings ?? [],
            new ServerInfo("time-skipping test server", "synthetic", "fresh server per block"));
}
