using DurableEval.Tests.Reliability;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The worker-kill oracles on synthetic journals, no server: a correct run passes, and each way of breaking the
/// guarantee (a non-idempotent effect, a lost workflow, a re-run completed step, a duplicate no kill explains, no
/// kill landing) gives the failing or not-run outcome it must.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ReliabilityOracleTests
{
    private const int Steps = 3;

    [Fact]
    public void CorrectRunWithKillsPasses()
    {
        var verdicts = ReliabilityOracles.Evaluate(CorrectRun().Build());

        Assert.All(Verdicts(verdicts), v => Assert.Equal(OracleOutcome.Passed, v.Outcome));
        Assert.Equal(1, verdicts.Metrics.KillsLanded);
        Assert.Equal(2, verdicts.Metrics.InFlightStepsHit);
        Assert.Equal(2, verdicts.Metrics.DuplicateExecutions);
        Assert.Equal(0, verdicts.Metrics.DuplicateEffectsDropped);
        Assert.Equal([400.0], verdicts.Metrics.RecoveryMilliseconds);
        Assert.Contains("2 of 2 workflows", verdicts.AllComplete.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void NoKillLandingIsNotRunNeverPassed()
    {
        // A kill taken while its worker had nothing in flight, and a run with no kill at all: vacuous both ways.
        var idle = new JournalBuilder(Steps, kills: 1);
        idle.Worker("worker-1");
        foreach (var w in new[] { 0, 1 })
        {
            for (var s = 1; s <= Steps; s++)
            {
                idle.Complete(idle.Start(w, s, "worker-1"), applied: true);
            }

            idle.Result(w);
        }

        idle.Kill("worker-1");
        var noKill = new JournalBuilder(Steps, kills: 0);
        noKill.Worker("worker-1");
        noKill.Complete(noKill.Start(0, 1, "worker-1"), applied: true);

        foreach (var run in new[] { idle.Build(), noKill.Build() })
        {
            var verdicts = ReliabilityOracles.Evaluate(run);
            Assert.All(Verdicts(verdicts), v =>
            {
                Assert.Equal(OracleOutcome.NotRun, v.Outcome);
                Assert.Contains("no kill landed", v.Evidence, StringComparison.Ordinal);
            });
            Assert.Equal(0, verdicts.Metrics.KillsLanded);
        }
    }

    [Fact]
    public void NonIdempotentEffectFailsEffectsOnce()
    {
        // w0's step 2 applied its effect just before the kill, its completion died with the worker, and the
        // re-execution applies the effect again under a new key (e.g. a key that includes the attempt).
        var run = CorrectRun(effectKeyOfRerun: "w0/2-attempt2").Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w0 step 2 applied 2 times", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Passed, verdicts.AllComplete.Outcome);
    }

    [Fact]
    public void LostWorkflowFailsAllCompleteAndEffectsOnce()
    {
        var run = CorrectRun(loseWorkflow1: true).Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.AllComplete.Outcome);
        Assert.Contains("w1: WorkflowFailedException", verdicts.AllComplete.Evidence, StringComparison.Ordinal);
        Assert.Contains("stalled", verdicts.AllComplete.Evidence, StringComparison.Ordinal);

        // The stall's headline comes before the per-workflow failures, so a shortened display still shows it.
        Assert.InRange(verdicts.AllComplete.Evidence.IndexOf("stalled (", StringComparison.Ordinal), 0, verdicts.AllComplete.Evidence.IndexOf("w1: ", StringComparison.Ordinal));
        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w1 step 3 applied 0 times", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void RerunOfARecordedStepFailsNoRerunAndDuplicates()
    {
        // After the kill the new worker runs w1's step 1 again, though w1's step 2 had started before the kill.
        var run = CorrectRun(rerunRecordedStep: true).Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.CompletedStepsNotRerun.Outcome);
        Assert.Contains("w1 step 1 ran 1 more time(s) after the server had recorded it", verdicts.CompletedStepsNotRerun.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Failed, verdicts.DuplicatesBounded.Outcome);
        Assert.Contains("recorded before the kill", verdicts.DuplicatesBounded.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void HistoryThatSchedulesAStepTwiceFailsNoRerun()
    {
        var run = CorrectRun().Build();
        run = run with { Workflows = [run.Workflows[0] with { ScheduledActivities = Steps + 1 }, run.Workflows[1]] };

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.CompletedStepsNotRerun.Outcome);
        Assert.Contains("w0: its history schedules 4 activities for 3 steps", verdicts.CompletedStepsNotRerun.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateThatNoKillExplainsFailsDuplicatesBounded()
    {
        // w1's step 3 runs twice on the same worker with no kill between: a retry the kill schedule does not explain.
        var run = CorrectRun(unexplainedDuplicate: true).Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.DuplicatesBounded.Outcome);
        Assert.Contains("w1 step 3 ran again (execution 2) with no kill after execution 1 started", verdicts.DuplicatesBounded.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Passed, verdicts.CompletedStepsNotRerun.Outcome);
    }

    [Fact]
    public void FewerKillsThanPlannedCannotPassButCanFail()
    {
        var weak = CorrectRun(plannedKills: 3).Build();
        var weakAndBroken = CorrectRun(plannedKills: 3, effectKeyOfRerun: "w0/2-attempt2").Build();

        var passing = ReliabilityOracles.Evaluate(weak);
        var failing = ReliabilityOracles.Evaluate(weakAndBroken);

        Assert.All(Verdicts(passing), v => Assert.Equal(OracleOutcome.NotRun, v.Outcome));
        Assert.Contains("only 1 of 3 planned kills", passing.AllComplete.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Failed, failing.EffectsOnce.Outcome);
    }

    [Fact]
    public void CompletionThatNeverReachedTheServerMayRunAgain()
    {
        // w1's step 2 finished in the journal just before the kill, but step 3 had not started: the completion may
        // have been lost with the worker, so one re-run is at-least-once, not a re-run of a recorded step.
        var b = new JournalBuilder(Steps, kills: 1);
        b.Worker("worker-1");
        Complete(b, 0, 1, "worker-1");
        Complete(b, 1, 1, "worker-1");
        b.Start(0, 2, "worker-1");
        Complete(b, 1, 2, "worker-1");
        b.Kill("worker-1");
        b.Worker("worker-2");
        Complete(b, 0, 2, "worker-2");
        Complete(b, 1, 2, "worker-2");
        foreach (var w in new[] { 0, 1 })
        {
            Complete(b, w, 3, "worker-2");
            b.Result(w);
        }

        var verdicts = ReliabilityOracles.Evaluate(b.Build());

        Assert.All(Verdicts(verdicts), v => Assert.Equal(OracleOutcome.Passed, v.Outcome));
        Assert.Equal(2, verdicts.Metrics.DuplicateExecutions);
        Assert.Equal(1, verdicts.Metrics.DuplicateEffectsDropped);
        Assert.Equal(1, verdicts.Metrics.CompletedButUnrecordedRerun);
    }

    [Fact]
    public void KillScheduleIsReproducibleFromItsSeed()
    {
        var first = KillSchedule.Plan(seed: 42, kills: 3, totalSteps: 250, maxDelayMilliseconds: 20);
        var again = KillSchedule.Plan(seed: 42, kills: 3, totalSteps: 250, maxDelayMilliseconds: 20);
        var other = KillSchedule.Plan(seed: 43, kills: 3, totalSteps: 250, maxDelayMilliseconds: 20);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(3, first.Count);
        Assert.All(first, k => Assert.InRange(k.AfterCompletedSteps, 25, 200));
        Assert.True(first[0].AfterCompletedSteps < first[1].AfterCompletedSteps && first[1].AfterCompletedSteps < first[2].AfterCompletedSteps);
    }

    private static IEnumerable<OracleVerdict> Verdicts(KillRunVerdicts v) => [v.AllComplete, v.EffectsOnce, v.DuplicatesBounded, v.CompletedStepsNotRerun];

    private static void Complete(JournalBuilder b, int w, int s, string worker) => b.Complete(b.Start(w, s, worker), applied: true);

    /// <summary>
    /// Two workflows of three steps; worker-1 is killed while both step 2s are in flight (so both step 1s are
    /// recorded), worker-2 re-runs both step 2s and finishes the runs. Each flag breaks the run in one way.
    /// </summary>
    private static JournalBuilder CorrectRun(
        string? effectKeyOfRerun = null, bool loseWorkflow1 = false, bool rerunRecordedStep = false, bool unexplainedDuplicate = false, int plannedKills = 1)
    {
        var b = new JournalBuilder(Steps, plannedKills);
        b.Worker("worker-1");
        Complete(b, 0, 1, "worker-1");
        Complete(b, 1, 1, "worker-1");
        var w0Step2 = b.Start(0, 2, "worker-1", atMs: 1_000);
        if (effectKeyOfRerun is not null)
        {
            b.Complete(w0Step2, applied: true);
        }

        b.Start(1, 2, "worker-1");
        b.Kill("worker-1", atMs: 1_100);
        b.Worker("worker-2");
        if (rerunRecordedStep)
        {
            Complete(b, 1, 1, "worker-2");
        }

        b.Complete(b.Start(0, 2, "worker-2"), applied: true, atMs: 1_400, effectKey: effectKeyOfRerun);
        Complete(b, 0, 3, "worker-2");
        b.Result(0);
        if (loseWorkflow1)
        {
            b.Lose(1, "WorkflowFailedException > TimeoutFailureException [StartToClose]: workflow timed out");
            b.Stall = "no journal progress for 20 s";
            return b;
        }

        b.Complete(b.Start(1, 2, "worker-2"), applied: true, atMs: 1_500);
        if (unexplainedDuplicate)
        {
            b.Start(1, 3, "worker-2");
        }

        Complete(b, 1, 3, "worker-2");
        b.Result(1);
        return b;
    }

    /// <summary>Writes a synthetic journal the way the worker and the protocol would, in sequence order.</summary>
    [Fact]
    public void CombinedVerdictFailsOnAnyFailurePassesOnlyWhenAllPassed()
    {
        var passed = OracleVerdict.Of(true, "ok");
        var failed = OracleVerdict.Of(false, "w0 step 2 ran twice");
        var notRun = OracleVerdict.NotRun("no kill landed");

        Assert.Equal(OracleOutcome.Passed, OracleVerdict.AllOf(passed, passed).Outcome);
        Assert.Equal(OracleOutcome.Failed, OracleVerdict.AllOf(passed, failed).Outcome);
        Assert.Equal(OracleOutcome.Failed, OracleVerdict.AllOf(notRun, failed).Outcome);
        Assert.Equal(OracleOutcome.NotRun, OracleVerdict.AllOf(passed, notRun).Outcome);
        Assert.Equal(OracleOutcome.NotRun, OracleVerdict.AllOf().Outcome);
        Assert.Contains("w0 step 2 ran twice", OracleVerdict.AllOf(passed, failed).Evidence, StringComparison.Ordinal);
    }

    private sealed class JournalBuilder(int steps, int kills)
    {
        private readonly List<JournalEntry> rows = [];
        private readonly Dictionary<int, string> lost = [];
        private readonly Dictionary<string, JournalEntry> started = new(StringComparer.Ordinal);
        private long clock;

        public string? Stall { get; set; }

        public static string Id(int w) => $"de-ex-01-kill-w{w}-synthetic";

        public void Worker(string worker) => Add(JournalKind.WorkerStarted, null, 0, null, worker, null, null);

        public string Start(int w, int s, string worker, long? atMs = null)
        {
            var execution = Guid.NewGuid().ToString("N");
            started[execution] = Add(JournalKind.Started, Id(w), s, execution, worker, null, atMs);
            return execution;
        }

        public void Complete(string execution, bool applied, long? atMs = null, string? effectKey = null)
        {
            var start = started[execution];
            var key = effectKey ?? $"{start.WorkflowId}/{start.ActivityId}";
            var fresh = effectKey is not null || !rows.Any(r => r.Kind == JournalKind.Effect && r.Detail == key);
            if (applied && fresh)
            {
                Add(JournalKind.Effect, start.WorkflowId, start.Step, execution, start.Worker, key, atMs);
            }

            Add(JournalKind.Completed, start.WorkflowId, start.Step, execution, start.Worker, applied && fresh ? StepJournal.EffectApplied : StepJournal.EffectDeduplicated, atMs);
        }

        public void Kill(string worker, long? atMs = null) => Add(JournalKind.Kill, null, 0, null, worker, "synthetic", atMs);

        public void Result(int w) => Add(JournalKind.Result, Id(w), 0, null, null, null, null);

        public void Lose(int w, string failure) => lost[w] = failure;

        public KillRunObservation Build() => new(
            Seed: 7,
            Steps: steps,
            Schedule: Enumerable.Range(0, kills).Select(k => new PlannedKill(k + 1, 0)).ToList(),
            Journal: rows.ToList(),
            Workflows: new[] { 0, 1 }.Select(w => new WorkflowOutcome(
                w,
                Id(w),
                StepsSurviveWorkerKillWorkflow.Expected(w, steps),
                lost.ContainsKey(w) ? null : StepsSurviveWorkerKillWorkflow.Expected(w, steps),
                lost.GetValueOrDefault(w),
                lost.ContainsKey(w) ? null : steps)).ToList(),
            Stall: Stall);

        private JournalEntry Add(string kind, string? workflowId, int step, string? execution, string? worker, string? detail, long? atMs)
        {
            clock = atMs ?? clock + 10;
            var entry = new JournalEntry(rows.Count + 1, kind, workflowId, step, step == 0 ? null : step.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, execution, worker, clock, detail);
            rows.Add(entry);
            return entry;
        }
    }
}
