using System.Globalization;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>What the oracles concluded about one run, and its measurements.</summary>
public sealed record KillRunVerdicts(
    OracleVerdict AllComplete,
    OracleVerdict EffectsOnce,
    OracleVerdict DuplicatesBounded,
    OracleVerdict CompletedStepsNotRerun,
    KillRunMetrics Metrics);

/// <summary>
/// Measurements of one run. A kill "landed" when the killed worker had a step started and not completed in the
/// journal; "in-flight steps hit" counts those steps over all landed kills; recovery after a kill is the time
/// until every step it hit had completed again (null when some never did). The slowest step (start to completion
/// in the journal) shows how far the run stayed from the step timeout, past which the server retries on its own.
/// </summary>
public sealed record KillRunMetrics(
    int KillsTaken,
    int KillsLanded,
    int InFlightStepsHit,
    int DuplicateExecutions,
    int DuplicateEffectsDropped,
    int CompletedButUnrecordedRerun,
    IReadOnlyList<double?> RecoveryMilliseconds,
    double SlowestStepMilliseconds);

/// <summary>
/// The oracles of the worker-kill protocol, pure functions of a <see cref="KillRunObservation"/>. "Before the kill"
/// compares journal sequence numbers, which every process shares. A step counts as recorded by the server once the
/// next step of its workflow has started (the workflow schedules step s + 1 only after step s is in its history),
/// or, for the last step, once the workflow's result arrived; that proxy is checked against the final history. A
/// step started and not recorded at a kill was in flight there: it may run again once for that kill, and only then.
/// The journal's unique index applies each effect once under whatever key it is given, so the oracles judge the
/// key and attempt number the platform gave each raw execution, never the index.
/// </summary>
public static class ReliabilityOracles
{
    public static KillRunVerdicts Evaluate(KillRunObservation run)
    {
        var journal = JournalView.Of(run);
        var metrics = Measure(run, journal);
        var planned = run.Schedule.Count;
        if (run.WorkerExit is { } exit)
        {
            var (allComplete, others) = exit.Verdicts();
            return new KillRunVerdicts(allComplete, others, others, others, metrics);
        }

        if (metrics.KillsLanded == 0)
        {
            var vacuous = OracleVerdict.NotRun(
                $"vacuous: no kill landed on in-flight work ({metrics.KillsTaken} taken of {planned} planned, seed {run.Seed}), so the run tested nothing");
            return new KillRunVerdicts(vacuous, vacuous, vacuous, vacuous, metrics);
        }

        // Fewer kills than planned make a weaker run: it can still fail, but it cannot pass.
        OracleVerdict Weighed(OracleVerdict verdict) =>
            verdict.Outcome == OracleOutcome.Passed && metrics.KillsLanded < planned
                ? OracleVerdict.NotRun($"only {metrics.KillsLanded} of {planned} planned kills landed on in-flight work (seed {run.Seed}), too weak to pass; observed: {verdict.Evidence}")
                : verdict;

        return new KillRunVerdicts(
            Weighed(AllComplete(run)),
            Weighed(EffectsOnce(run, journal)),
            Weighed(DuplicatesBounded(run, journal)),
            Weighed(CompletedStepsNotRerun(run, journal)),
            metrics);
    }

    internal static OracleVerdict AllComplete(KillRunObservation run)
    {
        var wrong = run.Workflows
            .Where(w => w.Result != w.Expected)
            .Select(w => w.Result is null
                ? $"w{w.Index}: {(w.Failure ?? "no result")}"
                : $"w{w.Index}: returned '{w.Result}', expected '{w.Expected}'")
            .ToList();
        var stall = run.Stall is null ? string.Empty : $"; stalled: {run.Stall}";

        // A stalled run's waits end cancelled, so each workflow's own failure says little: the stall leads (its
        // headline, before the dump of workers and pending work), so that a shortened display still shows it.
        var headline = run.Stall is null ? string.Empty : $"stalled ({run.Stall.Split("; workers:")[0]}); ";
        return OracleVerdict.Of(
            wrong.Count == 0 && run.Workflows.Count > 0,
            wrong.Count == 0
                ? $"{run.Workflows.Count} of {run.Workflows.Count} workflows returned their expected result (e.g. '{run.Workflows.FirstOrDefault()?.Expected}'){stall}"
                : $"{wrong.Count} of {run.Workflows.Count} workflows lost or wrong: {headline}{List(wrong)}{stall}");
    }

    /// <summary>
    /// Exactly-once effects rest on what the platform hands each raw execution, not on the journal's unique
    /// index (which would deduplicate any stable key): every execution of a (workflow, step) saw the same
    /// deduplication key (workflow id + activity id), no two steps shared one, every step completed somewhere, and
    /// the attempt numbers the executions saw agree with the final history.
    /// </summary>
    internal static OracleVerdict EffectsOnce(KillRunObservation run, JournalView journal)
    {
        var key = DeduplicationKeyStable(run, journal);
        var attempts = AttemptsMatchHistory(run, journal);
        string Part(string name, OracleVerdict v) => $"{name} {v.Outcome.ToString().ToLowerInvariant()}: {v.Evidence}";
        return OracleVerdict.AllOf(key, attempts) with { Evidence = $"{Part("key", key)}; {Part("attempts", attempts)}" };
    }

    /// <summary>
    /// The key a correct platform gives is the same for every attempt and re-dispatch of one activity and differs
    /// between activities: a key that changes across attempts (an activity id reissued on retry) lets a re-run
    /// apply its effect again; a key two steps share (an activity id reused within the run) drops one step's effect.
    /// </summary>
    internal static OracleVerdict DeduplicationKeyStable(KillRunObservation run, JournalView journal)
    {
        var expected = ExpectedSteps(run);
        var problems = new List<string>();
        var owners = new Dictionary<string, (string WorkflowId, int Step)>(StringComparer.Ordinal);
        var executions = 0;
        foreach (var (workflowId, step) in expected)
        {
            var runs = journal.ExecutionsByStep.GetValueOrDefault((workflowId, step)) ?? [];
            executions += runs.Count;
            if (runs.Count == 0)
            {
                problems.Add($"{journal.Name(workflowId)} step {step} never ran");
                continue;
            }

            var keys = runs.Select(e => e.Key ?? "(none)").Distinct(StringComparer.Ordinal).ToList();
            if (keys.Count != 1 || runs[0].Key is null)
            {
                problems.Add($"{journal.Name(workflowId)} step {step}'s {runs.Count} executions saw {keys.Count} keys ({string.Join(", ", keys)})");
            }

            foreach (var key in keys)
            {
                if (owners.TryGetValue(key, out var owner) && owner != (workflowId, step))
                {
                    problems.Add($"{journal.Name(owner.WorkflowId)} step {owner.Step} and {journal.Name(workflowId)} step {step} share key {key}");
                }

                owners.TryAdd(key, (workflowId, step));
            }

            if (runs.All(e => e.CompleteSeq is null))
            {
                problems.Add($"{journal.Name(workflowId)} step {step} never completed, so its effect never applied");
            }
        }

        problems.AddRange(journal.ExecutionsByStep.Keys.Where(k => !expected.Contains(k)).Select(k => $"unexpected execution of {journal.Name(k.WorkflowId)} step {k.Step}"));
        var dropped = journal.Completions.Count(c => c.Detail == StepJournal.EffectDeduplicated);
        return OracleVerdict.Of(
            problems.Count == 0 && expected.Count > 0,
            problems.Count == 0
                ? $"all {executions} raw executions of the {expected.Count} (workflow, step) pairs saw one key per step (workflow id + activity id), no key shared, every step completed; the journal dropped {dropped} repeated effects under that key"
                : $"{problems.Count} deduplication-key problems over {expected.Count} steps: {List(problems)}");
    }

    /// <summary>
    /// A re-execution is a new attempt: in start order a step's executions saw rising attempt numbers (the same
    /// attempt twice is a task dispatched twice), and the attempt the final history's ActivityTaskStarted keeps is
    /// the last one the journal saw run, and that execution completed (a server keeping an older attempt's
    /// outcome, or reporting attempts it never ran, fails here).
    /// </summary>
    internal static OracleVerdict AttemptsMatchHistory(KillRunObservation run, JournalView journal)
    {
        var missing = run.Workflows.Where(w => w.Activities is null).Select(w => $"w{w.Index}").ToList();
        if (missing.Count > 0)
        {
            return OracleVerdict.NotRun($"no final history for {string.Join(", ", missing)} to compare attempts with");
        }

        var problems = new List<string>();
        var retried = 0;
        foreach (var (workflowId, step) in ExpectedSteps(run))
        {
            var runs = journal.ExecutionsByStep.GetValueOrDefault((workflowId, step)) ?? [];
            if (runs.Count == 0)
            {
                continue;
            }

            var name = $"{journal.Name(workflowId)} step {step}";
            var attempts = runs.Select(e => e.Attempt).ToList();
            if (attempts.Zip(attempts.Skip(1), (a, b) => a < b).Any(rising => !rising))
            {
                problems.Add($"{name} ran attempts {string.Join(",", attempts)} (not rising: a task handed out twice)");
            }

            retried += runs.Count > 1 ? 1 : 0;
            var last = runs[^1];
            var recorded = journal.History(workflowId, last.ActivityId);
            if (recorded is null)
            {
                problems.Add($"{name}: the final history has no activity {last.ActivityId}");
            }
            else if (!run.HistoryRecordsAttempts)
            {
                if (recorded.CompletedEventId is null)
                {
                    problems.Add($"{name}: the final history never completes activity {last.ActivityId}");
                }
                else if (last.CompleteSeq is null)
                {
                    problems.Add($"{name}: the history completes it, but its last execution (attempt {last.Attempt}) never completed in the journal");
                }
            }
            else if (recorded.StartedAttempt != last.Attempt)
            {
                problems.Add($"{name}: the history's ActivityTaskStarted says attempt {recorded.StartedAttempt?.ToString(CultureInfo.InvariantCulture) ?? "none"}, the journal's last execution ran attempt {last.Attempt} (attempts {string.Join(",", attempts)})");
            }
            else if (last.CompleteSeq is null)
            {
                problems.Add($"{name}: the history keeps attempt {last.Attempt}, whose execution never completed in the journal");
            }
        }

        return OracleVerdict.Of(
            problems.Count == 0,
            problems.Count == 0
                ? run.HistoryRecordsAttempts
                    ? $"attempt numbers rise across every step's executions and each final history's ActivityTaskStarted keeps the attempt of the step's last, completed execution ({retried} steps ran more than once)"
                    : $"attempt numbers rise across every step's executions and each step's last execution completed, as its final history's completion says ({retried} steps ran more than once; this history records no attempt numbers to compare)"
                : $"{problems.Count} steps whose attempts disagree with the history: {List(problems)}");
    }

    internal static OracleVerdict DuplicatesBounded(KillRunObservation run, JournalView journal)
    {
        var problems = new List<string>();
        var duplicates = 0;
        var maxPerStep = 0;
        foreach (var ((workflowId, step), executions) in journal.ExecutionsByStep)
        {
            duplicates += executions.Count - 1;
            maxPerStep = Math.Max(maxPerStep, executions.Count - 1);
            var recorded = journal.RecordedAt(workflowId, step, run.Steps);
            for (var i = 1; i < executions.Count; i++)
            {
                var previous = executions[i - 1];
                var next = executions[i];

                // Only one worker lives at a time, so the first kill after an execution started is its worker's.
                var kill = journal.Kills.FirstOrDefault(k => k.Seq > previous.StartSeq);
                if (kill is null || kill.Seq > next.StartSeq)
                {
                    problems.Add($"{journal.Name(workflowId)} step {step} ran again (execution {i + 1}) with no kill after execution {i} started");
                }
                else if (recorded < kill.Seq)
                {
                    problems.Add($"{journal.Name(workflowId)} step {step} ran again (execution {i + 1}) though it was recorded before the kill of {kill.Worker}");
                }
            }
        }

        return OracleVerdict.Of(
            problems.Count == 0,
            problems.Count == 0
                ? $"{duplicates} duplicate executions over {journal.ExecutionsByStep.Count} steps, each of a step in flight at the kill just before it (at most {maxPerStep} per step, never 2 for one kill)"
                : $"{problems.Count} duplicate executions no kill explains: {List(problems)}");
    }

    internal static OracleVerdict CompletedStepsNotRerun(KillRunObservation run, JournalView journal)
    {
        var problems = new List<string>();
        var recordedBeforeAKill = 0;
        foreach (var ((workflowId, step), executions) in journal.ExecutionsByStep)
        {
            var recorded = journal.RecordedAt(workflowId, step, run.Steps);
            if (journal.Kills.Any(k => k.Seq > recorded))
            {
                recordedBeforeAKill++;
            }

            var after = executions.Where(e => e.StartSeq > recorded).ToList();
            if (after.Count > 0)
            {
                problems.Add($"{journal.Name(workflowId)} step {step} ran {after.Count} more time(s) after the server had recorded it");
            }
        }

        problems.AddRange(run.Workflows
            .Where(w => w.ScheduledActivities > run.Steps)
            .Select(w => $"w{w.Index}: its history schedules {w.ScheduledActivities} activities for {run.Steps} steps"));
        var (crossChecked, lost) = RecordedStepsInHistory(run, journal);
        problems.AddRange(lost);
        var histories = run.Workflows.Count(w => w.ScheduledActivities is not null);
        return OracleVerdict.Of(
            problems.Count == 0,
            problems.Count == 0
                ? $"0 of {recordedBeforeAKill} steps recorded before a kill ran again; {histories} histories schedule one activity per step; "
                    + $"all {crossChecked} steps the journal counts as recorded are completed in the final history before the next step was scheduled"
                : $"{problems.Count} completed steps ran again or were lost: {List(problems)}");
    }

    /// <summary>
    /// Checks the "recorded" proxy against the final history: a step the journal counts as recorded (its next step
    /// started, or the result arrived) must be an ActivityTaskCompleted in the history, ahead of the next step's
    /// ActivityTaskScheduled. A server that acknowledged a completion and then lost it fails here, even when
    /// the step never ran again. Returns how many steps were checked and the problems.
    /// </summary>
    internal static (int Checked, IReadOnlyList<string> Problems) RecordedStepsInHistory(KillRunObservation run, JournalView journal)
    {
        var problems = new List<string>();
        var count = 0;
        foreach (var workflow in run.Workflows.Where(w => w.Activities is not null))
        {
            for (var step = 1; step <= run.Steps; step++)
            {
                if (journal.RecordedAt(workflow.WorkflowId, step, run.Steps) == long.MaxValue
                    || journal.ExecutionsByStep.GetValueOrDefault((workflow.WorkflowId, step)) is not { Count: > 0 } runs)
                {
                    continue;
                }

                count++;
                var name = $"{journal.Name(workflow.WorkflowId)} step {step}";
                var recorded = journal.History(workflow.WorkflowId, runs[^1].ActivityId);
                var next = step < run.Steps && journal.ExecutionsByStep.GetValueOrDefault((workflow.WorkflowId, step + 1)) is { Count: > 0 } nextRuns
                    ? journal.History(workflow.WorkflowId, nextRuns[^1].ActivityId)
                    : null;
                if (recorded?.CompletedEventId is not { } completedAt)
                {
                    problems.Add($"{name} counted as recorded (the {(step < run.Steps ? "next step started" : "result arrived")}) but the final history has no ActivityTaskCompleted for it");
                }
                else if (next is not null && completedAt > next.ScheduledEventId)
                {
                    problems.Add($"{name} completed at event {completedAt.ToString(CultureInfo.InvariantCulture)}, after step {step + 1} was scheduled at event {next.ScheduledEventId.ToString(CultureInfo.InvariantCulture)}");
                }
            }
        }

        return (count, problems);
    }

    internal static KillRunMetrics Measure(KillRunObservation run, JournalView journal)
    {
        var landed = 0;
        var hit = 0;
        var unrecordedRerun = 0;
        var recoveries = new List<double?>();
        foreach (var kill in journal.Kills)
        {
            var inFlight = journal.Executions
                .Where(e => e.Worker == kill.Worker && e.StartSeq < kill.Seq && !(e.CompleteSeq < kill.Seq))
                .Select(e => (e.WorkflowId, e.Step))
                .Distinct()
                .ToList();
            if (inFlight.Count == 0)
            {
                continue;
            }

            landed++;
            hit += inFlight.Count;

            // Recovered when every step the kill hit has completed again, by a later worker.
            var again = inFlight
                .Select(s => journal.ExecutionsByStep[s].FirstOrDefault(e => e.StartSeq > kill.Seq && e.CompleteSeq is not null))
                .ToList();
            recoveries.Add(again.All(e => e is not null) ? again.Max(e => e!.CompleteMs!.Value) - kill.AtMs : null);

            // Finished in the journal before the kill, but the completion never reached the server: at-least-once.
            unrecordedRerun += journal.Executions.Count(e =>
                e.Worker == kill.Worker
                && e.CompleteSeq < kill.Seq
                && journal.RecordedAt(e.WorkflowId, e.Step, run.Steps) > kill.Seq
                && journal.ExecutionsByStep[(e.WorkflowId, e.Step)].Any(n => n.StartSeq > kill.Seq));
        }

        return new KillRunMetrics(
            journal.Kills.Count,
            landed,
            hit,
            journal.ExecutionsByStep.Values.Sum(e => e.Count - 1),
            journal.Completions.Count(c => c.Detail == StepJournal.EffectDeduplicated),
            unrecordedRerun,
            recoveries,
            journal.Executions.Where(e => e.CompleteMs is not null).Select(e => (double)(e.CompleteMs!.Value - e.StartMs)).DefaultIfEmpty(0).Max());
    }

    private static HashSet<(string WorkflowId, int Step)> ExpectedSteps(KillRunObservation run) =>
        run.Workflows.SelectMany(w => Enumerable.Range(1, run.Steps).Select(s => (w.WorkflowId, s))).ToHashSet();

    private static string List(IReadOnlyCollection<string> items) =>
        items.Count <= 5 ? string.Join("; ", items) : string.Join("; ", items.Take(5)) + string.Create(CultureInfo.InvariantCulture, $"; ... and {items.Count - 5} more");
}

/// <summary>The journal indexed for the oracles.</summary>
internal sealed class JournalView
{
    private readonly Dictionary<string, int> indexes;
    private readonly Dictionary<string, long> results;
    private readonly Dictionary<(string WorkflowId, string ActivityId), HistoryActivity> history;

    private JournalView(KillRunObservation run)
    {
        indexes = run.Workflows.ToDictionary(w => w.WorkflowId, w => w.Index, StringComparer.Ordinal);
        history = run.Workflows
            .SelectMany(w => (w.Activities ?? []).Select(a => (Key: (w.WorkflowId, a.ActivityId), Activity: a)))
            .GroupBy(x => x.Key)
            .ToDictionary(g => g.Key, g => g.First().Activity);
        var completions = run.Journal.Where(e => e.Kind == JournalKind.Completed && e.Execution is not null)
            .GroupBy(e => e.Execution!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Completions = completions.Values.ToList();
        Executions = run.Journal
            .Where(e => e.Kind == JournalKind.Started && e.WorkflowId is not null && e.Execution is not null)
            .Select(e =>
            {
                var done = completions.GetValueOrDefault(e.Execution!);
                return new Execution(e.WorkflowId!, e.Step, e.Worker ?? string.Empty, e.Seq, e.AtMs, done?.Seq, done?.AtMs, e.ActivityId ?? string.Empty, e.Attempt, e.Detail);
            })
            .ToList();
        ExecutionsByStep = Executions.GroupBy(e => (e.WorkflowId, e.Step))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Execution>)g.OrderBy(e => e.StartSeq).ToList());
        Kills = run.Journal.Where(e => e.Kind == JournalKind.Kill).Select(e => new Kill(e.Seq, e.Worker ?? string.Empty, e.AtMs)).ToList();
        results = run.Journal.Where(e => e.Kind == JournalKind.Result && e.WorkflowId is not null)
            .GroupBy(e => e.WorkflowId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(e => e.Seq), StringComparer.Ordinal);
    }

    public IReadOnlyList<Execution> Executions { get; }

    public IReadOnlyDictionary<(string WorkflowId, int Step), IReadOnlyList<Execution>> ExecutionsByStep { get; }

    public IReadOnlyList<JournalEntry> Completions { get; }

    public IReadOnlyList<Kill> Kills { get; }

    public static JournalView Of(KillRunObservation run) => new(run);

    /// <summary>The sequence number by which the server had recorded the step, or long.MaxValue if it never did.</summary>
    public long RecordedAt(string workflowId, int step, int steps)
    {
        if (step < steps)
        {
            return ExecutionsByStep.TryGetValue((workflowId, step + 1), out var next) ? next[0].StartSeq : long.MaxValue;
        }

        return results.TryGetValue(workflowId, out var seq) ? seq : long.MaxValue;
    }

    /// <summary>What the final history of <paramref name="workflowId"/> records of activity <paramref name="activityId"/>, if anything.</summary>
    public HistoryActivity? History(string workflowId, string activityId) => history.GetValueOrDefault((workflowId, activityId));

    public string Name(string workflowId) => indexes.TryGetValue(workflowId, out var index) ? $"w{index}" : workflowId;

    /// <summary>One raw execution: where and when it started and completed, and the activity id, attempt and key it saw.</summary>
    internal sealed record Execution(
        string WorkflowId, int Step, string Worker, long StartSeq, long StartMs, long? CompleteSeq, long? CompleteMs, string ActivityId, int Attempt, string? Key);

    internal sealed record Kill(long Seq, string Worker, long AtMs);
}
