using DurableEval.Tests.Reliability;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The worker-kill oracles on synthetic journals and histories, no server: a correct run passes, and each way of
/// breaking the guarantee (a deduplication key that changes across attempts or is shared by two steps, an attempt
/// handed out twice, a history keeping another attempt, an acknowledged completion lost from the history, a lost
/// workflow, a re-run completed step, a duplicate no kill explains, no kill landing) gives the failing or not-run
/// outcome it must.
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
    public void KeyThatChangesAcrossAttemptsFailsEffectsOnce()
    {
        // w0's step 2 applied its effect just before the kill, its completion died with the worker, and the
        // platform hands the re-execution a different key (an activity id reissued on retry): the effect applies twice.
        var run = CorrectRun(keyOfRerun: "w0/2-attempt2").Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w0 step 2's 2 executions saw 2 keys", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Passed, verdicts.AllComplete.Outcome);
    }

    [Fact]
    public void KeySharedByTwoStepsFailsEffectsOnce()
    {
        // The platform hands w1's step 3 the activity id of its step 1: a deduplicating consumer drops step 3's effect.
        var run = CorrectRun(keyOfW1Step3: JournalBuilder.Key(1, 1)).Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w1 step 1 and w1 step 3 share key", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void SameAttemptRunTwiceFailsEffectsOnce()
    {
        // The re-execution of w0's step 2 after the kill sees attempt 1 again: the server handed the same task out twice.
        var run = CorrectRun(attemptOfRerun: 1).Build();

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w0 step 2 ran attempts 1,1 (not rising", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void HistoryKeepingAnOlderAttemptFailsEffectsOnce()
    {
        // The journal ran w0's step 2 on attempts 1 and 2; the history says the server kept attempt 1's outcome.
        var run = CorrectRun().Build();
        run = WithHistory(run, 0, 2, a => a with { StartedAttempt = 1 });

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.Failed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("w0 step 2: the history's ActivityTaskStarted says attempt 1, the journal's last execution ran attempt 2", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Passed, verdicts.CompletedStepsNotRerun.Outcome);
    }

    [Fact]
    public void MissingHistoryLeavesAttemptsNotRunNeverPassed()
    {
        var run = CorrectRun().Build();
        run = run with { Workflows = [run.Workflows[0] with { Activities = null }, run.Workflows[1]] };

        var verdicts = ReliabilityOracles.Evaluate(run);

        Assert.Equal(OracleOutcome.NotRun, verdicts.EffectsOnce.Outcome);
        Assert.Contains("no final history for w0", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void AcknowledgedCompletionLostFromHistoryFailsNoRerun()
    {
        // w1's step 1 counts as recorded (step 2 started before the kill) and never ran again, but the final
        // history has no ActivityTaskCompleted for it: the server lost a completion it had acknowledged.
        var lost = WithHistory(CorrectRun().Build(), 1, 1, a => a with { CompletedEventId = null });
        var late = WithHistory(CorrectRun().Build(), 0, 1, a => a with { CompletedEventId = 25 });

        var lostVerdicts = ReliabilityOracles.Evaluate(lost);
        var lateVerdicts = ReliabilityOracles.Evaluate(late);

        Assert.Equal(OracleOutcome.Failed, lostVerdicts.CompletedStepsNotRerun.Outcome);
        Assert.Contains("w1 step 1 counted as recorded (the next step started) but the final history has no ActivityTaskCompleted", lostVerdicts.CompletedStepsNotRerun.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Passed, lostVerdicts.DuplicatesBounded.Outcome);
        Assert.Equal(OracleOutcome.Failed, lateVerdicts.CompletedStepsNotRerun.Outcome);
        Assert.Contains("w0 step 1 completed at event 25, after step 2 was scheduled at event 20", lateVerdicts.CompletedStepsNotRerun.Evidence, StringComparison.Ordinal);
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
        Assert.Contains("w1 step 3 never ran", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
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
        var weakAndBroken = CorrectRun(plannedKills: 3, keyOfRerun: "w0/2-attempt2").Build();

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
        Assert.All(first, k => Assert.InRange(k.AfterCompletedSteps, 25, 150));
        Assert.True(first[0].AfterCompletedSteps < first[1].AfterCompletedSteps && first[1].AfterCompletedSteps < first[2].AfterCompletedSteps);
    }

    private static IEnumerable<OracleVerdict> Verdicts(KillRunVerdicts v) => [v.AllComplete, v.EffectsOnce, v.DuplicatesBounded, v.CompletedStepsNotRerun];

    private static void Complete(JournalBuilder b, int w, int s, string worker, string? key = null) => b.Complete(b.Start(w, s, worker, key: key), applied: true);

    /// <summary>The run with one activity of workflow <paramref name="w"/>'s final history changed, as a faulty server would write it.</summary>
    private static KillRunObservation WithHistory(KillRunObservation run, int w, int step, Func<HistoryActivity, HistoryActivity> change) =>
        run with
        {
            Workflows = run.Workflows.Select(o => o.Index != w ? o : o with
            {
                Activities = o.Activities!.Select(a => a.ActivityId == step.ToString(System.Globalization.CultureInfo.InvariantCulture) ? change(a) : a).ToList(),
            }).ToList(),
        };

    /// <summary>
    /// Two workflows of three steps; worker-1 is killed while both step 2s are in flight (so both step 1s are
    /// recorded), worker-2 re-runs both step 2s and finishes the runs. Each flag breaks the run in one way.
    /// </summary>
    private static JournalBuilder CorrectRun(
        string? keyOfRerun = null,
        bool loseWorkflow1 = false,
        bool rerunRecordedStep = false,
        bool unexplainedDuplicate = false,
        int plannedKills = 1,
        string? keyOfW1Step3 = null,
        int? attemptOfRerun = null)
    {
        var b = new JournalBuilder(Steps, plannedKills);
        b.Worker("worker-1");
        Complete(b, 0, 1, "worker-1");
        Complete(b, 1, 1, "worker-1");
        var w0Step2 = b.Start(0, 2, "worker-1", atMs: 1_000);
        if (keyOfRerun is not null)
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

        b.Complete(b.Start(0, 2, "worker-2", key: keyOfRerun, attempt: attemptOfRerun), applied: true, atMs: 1_400);
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

        Complete(b, 1, 3, "worker-2", keyOfW1Step3);
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
        private readonly Dictionary<(int W, int S), int> attempts = [];
        private long clock;

        public string? Stall { get; set; }

        public static string Id(int w) => $"de-ex-01-kill-w{w}-synthetic";

        /// <summary>The key a correct platform gives every execution of step <paramref name="s"/>: workflow id + activity id.</summary>
        public static string Key(int w, int s) => $"{Id(w)}/{s.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

        public void Worker(string worker) => Add(JournalKind.WorkerStarted, null, 0, null, worker, null, null, 0);

        /// <summary>A raw execution starts, on the next attempt and with the step's key unless told otherwise.</summary>
        public string Start(int w, int s, string worker, long? atMs = null, string? key = null, int? attempt = null)
        {
            var execution = Guid.NewGuid().ToString("N");
            var next = attempt ?? attempts.GetValueOrDefault((w, s)) + 1;
            attempts[(w, s)] = next;
            started[execution] = Add(JournalKind.Started, Id(w), s, execution, worker, key ?? Key(w, s), atMs, next);
            return execution;
        }

        /// <summary>The execution completes; its effect applies under the key it saw, once per key (the journal's index).</summary>
        public void Complete(string execution, bool applied, long? atMs = null)
        {
            var start = started[execution];
            var key = start.Detail!;
            var fresh = !rows.Any(r => r.Kind == JournalKind.Effect && r.Detail == key);
            if (applied && fresh)
            {
                Add(JournalKind.Effect, start.WorkflowId, start.Step, execution, start.Worker, key, atMs, start.Attempt);
            }

            Add(JournalKind.Completed, start.WorkflowId, start.Step, execution, start.Worker, applied && fresh ? StepJournal.EffectApplied : StepJournal.EffectDeduplicated, atMs, start.Attempt);
        }

        public void Kill(string worker, long? atMs = null) => Add(JournalKind.Kill, null, 0, null, worker, "synthetic", atMs, 0);

        public void Result(int w) => Add(JournalKind.Result, Id(w), 0, null, null, null, null, 0);

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
                lost.ContainsKey(w) ? null : steps,
                History(w))).ToList(),
            Stall: Stall);

        /// <summary>
        /// The history a correct server writes from this journal: each step that ran is scheduled (event 10 s),
        /// started on the attempt of its last execution, and completed (event 10 s + 5) when that execution completed.
        /// </summary>
        private List<HistoryActivity> History(int w) =>
            Enumerable.Range(1, steps)
                .Select(s => (Step: s, Runs: rows.Where(r => r.Kind == JournalKind.Started && r.WorkflowId == Id(w) && r.Step == s).ToList()))
                .Where(x => x.Runs.Count > 0)
                .Select(x =>
                {
                    var last = x.Runs[^1];
                    var completed = rows.Any(r => r.Kind == JournalKind.Completed && r.Execution == last.Execution);
                    return new HistoryActivity(last.ActivityId!, 10L * x.Step, last.Attempt, completed ? (10L * x.Step) + 5 : null);
                })
                .ToList();

        private JournalEntry Add(string kind, string? workflowId, int step, string? execution, string? worker, string? detail, long? atMs, int attempt)
        {
            clock = atMs ?? clock + 10;
            var entry = new JournalEntry(rows.Count + 1, kind, workflowId, step, step == 0 ? null : step.ToString(System.Globalization.CultureInfo.InvariantCulture), attempt, execution, worker, clock, detail);
            rows.Add(entry);
            return entry;
        }
    }
}
