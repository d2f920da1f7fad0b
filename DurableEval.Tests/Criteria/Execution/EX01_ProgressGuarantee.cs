using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    /// <summary>
    /// The worker-kill protocol (Reliability/KillProtocol): workflows keep their progress when the worker process
    /// running them is SIGKILLed mid-step, again and again; judged by the oracles over the external journal.
    /// </summary>
    [SkippableFact]
    [Criterion("EX-01")]
    public async Task EX01_ProgressGuarantee()
    {
        var options = new KillProtocolOptions();
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("all-complete", $"All {options.Workflows} workflows ({options.Steps} steps each) return their expected result although the worker process running them was killed hard (SIGKILL) mid-step at least {options.Kills} times"),
                Core("effects-once", "Every raw execution of a (workflow, step) saw the same deduplication key (workflow id + activity id), no two steps share one, and the attempt numbers the executions saw rise and match the attempt each final history's ActivityTaskStarted keeps"),
                Core("duplicates-bounded", "Raw re-executions happen only to steps in flight at a kill, at most once per kill per step"),
                Core("no-rerun", "No step the server had recorded before a kill runs again, each final history schedules one activity per step, and every step counted as recorded is completed in the final history before the next step was scheduled"),
                Edge("histories-replay", "Every final history replays with the same workflow code"),
            ],
            async (server, checks) =>
            {
                // No workflow cache on the killed workers: the time-skipping server never moves a dead worker's
                // sticky queue back to the normal queue (TEMPORAL-FACTS §1.2), so cached work would wait forever.
                var run = await KillProtocol.RunAsync(server, options with { Cache = false }, Output.WriteLine, checks.Cancellation);
                var verdicts = run.Verdicts;
                verdicts.AllComplete.RecordAs(checks, "all-complete");
                verdicts.EffectsOnce.RecordAs(checks, "effects-once");
                verdicts.DuplicatesBounded.RecordAs(checks, "duplicates-bounded");
                verdicts.CompletedStepsNotRerun.RecordAs(checks, "no-rerun");

                if (verdicts.AllComplete.Outcome == OracleOutcome.NotRun)
                {
                    checks.NotRun("histories-replay", verdicts.AllComplete.Evidence);
                }
                else
                {
                    var replays = await HistoryProbe.ReplayAsync(run.Histories, o => o.AddWorkflow<StepsSurviveWorkerKillWorkflow>(), checks.Cancellation);
                    var failed = replays.Where(r => r.Failure is not null).ToList();
                    checks.Expect(
                        "histories-replay",
                        failed.Count == 0 && replays.Count == options.Workflows,
                        $"{replays.Count - failed.Count} of {replays.Count} final histories replayed cleanly"
                        + (failed.Count == 0 ? string.Empty : $"; first failure: {HistoryProbe.Summarize(failed[0].Failure!)}"));
                }

                Measured(fact, run);
                var observation = run.Observation;
                fact.Finding(
                    $"Variant: worker in a separate process (DurableEval.Worker) killed with SIGKILL of its process tree, a fresh process after each kill, "
                    + $"each connecting with the test client's own settings ({run.WorkerConnection}), "
                    + $"workflow cache off (MaxCachedWorkflows = 0) on the {ServerNames.Of(server.Kind)}; "
                    + $"{options.Workflows} workflows x {options.Steps} steps of {options.WorkMilliseconds} ms, kill schedule seed {observation.Seed} "
                    + $"(kills planned after {string.Join("/", observation.Schedule.Select(k => k.AfterCompletedSteps))} of {options.TotalSteps} completed steps), "
                    + $"{run.Verdicts.Metrics.KillsLanded} of {run.Verdicts.Metrics.KillsTaken} kills landed on in-flight work, {run.WorkerProcesses} worker processes, "
                    + $"{run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.");
                if (server.Kind == ServerKind.TimeSkipping)
                {
                    fact.Finding(
                        "Time-skipping server: result waits ran with auto time skipping disabled. Each auto-skipping GetResultAsync releases one "
                        + "server-wide time lock, and the server holds one per pending activity or workflow task, so concurrent waits can let the clock skip "
                        + "over pending work (an activity's start-to-close timeout, then the run's execution timeout).");
                }
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Production("cached-variant", "With workflow caching on (sticky queues, the production default) the same kills lose nothing: the server moves a dead worker's sticky work back to the normal queue"),
            ],
            async (server, checks) =>
            {
                var run = await KillProtocol.RunAsync(server, options with { Cache = true }, Output.WriteLine, checks.Cancellation);
                var v = run.Verdicts;
                var combined = OracleVerdict.AllOf(v.AllComplete, v.EffectsOnce, v.DuplicatesBounded, v.CompletedStepsNotRerun);
                (run.Observation.WorkerExit is not null ? v.AllComplete
                    : combined with { Evidence = $"seed {run.Observation.Seed}, {v.Metrics.KillsLanded} kills landed: {combined.Evidence}" }).RecordAs(checks, "cached-variant");
            });
        fact.Finding("The cached variant runs only on a dev or external server: the time-skipping server has no sticky-queue fallback, so there it would measure the test server, not Temporal.");
        fact.Cite(
            "Temporal's pre-production testing guide recommends failure injection and says recovery paths deserve as much testing as the steady state.",
            "https://docs.temporal.io/best-practices/pre-production-testing");
        fact.Cite(
            "Activities are executed at least once; exactly-once external effects need an idempotency key such as workflow id + activity id.",
            "https://docs.temporal.io/activity-definition#idempotency");
        fact.Conclude();
    }

    private static void Measured(Evidence.FactRecorder fact, KillRun run)
    {
        var m = run.Verdicts.Metrics;
        fact.Metric("kills_landed", m.KillsLanded, "count");
        fact.Metric("in_flight_steps_hit", m.InFlightStepsHit, "count");
        fact.Metric("duplicate_executions", m.DuplicateExecutions, "count");
        fact.Metric("duplicate_effects_dropped", m.DuplicateEffectsDropped, "count");
        fact.Metric("completed_but_unrecorded_rerun", m.CompletedButUnrecordedRerun, "count");
        for (var i = 0; i < m.RecoveryMilliseconds.Count; i++)
        {
            if (m.RecoveryMilliseconds[i] is { } ms)
            {
                fact.Metric($"recovery_ms_kill{i + 1}", ms, "ms");
            }
        }

        if (m.RecoveryMilliseconds.Count > 0 && m.RecoveryMilliseconds.All(r => r is not null))
        {
            fact.Metric("recovery_ms_max", m.RecoveryMilliseconds.Max(r => r!.Value), "ms");
        }

        fact.Metric("slowest_step_ms", m.SlowestStepMilliseconds, "ms");
        fact.Metric("protocol_run_s", run.Elapsed.TotalSeconds, "s");
    }
}
