using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// The worker-kill protocol on Agent Framework: step chains checkpointed to files keep their progress when the
    /// process running them is SIGKILLed mid-step, and a new process resumes each from its latest checkpoint.
    /// </summary>
    [SkippableFact]
    [Criterion("EX-01", Engine = Engine)]
    public async Task EX01_CheckpointProgressGuarantee()
    {
        var options = CheckpointKill.Options(kills: 2);
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.WorkerProcesses,
            [
                Core("all-complete", $"All {options.Workflows} runs ({options.Steps} steps each) yield their expected output although the process running them was killed hard (SIGKILL) mid-step {options.Kills} times and each new process resumed them from their latest checkpoint"),
                Core("effects-once", "Every raw execution of a (run, step) saw the same deduplication key from the framework, no two steps share one, and attempt numbers match a history (there is none here: not run)"),
                Core("duplicates-bounded", "Raw re-executions happen only to steps in flight at a kill, at most once per kill per step"),
                Core("no-rerun", "No step checkpointed before a kill (its successor had started) runs again"),
            ],
            async checks =>
            {
                var run = await CheckpointKill.RunAsync(options, Output.WriteLine, checks.Cancellation);
                var verdicts = run.Verdicts;
                verdicts.AllComplete.RecordAs(checks, "all-complete");
                verdicts.EffectsOnce.RecordAs(checks, "effects-once");
                verdicts.DuplicatesBounded.RecordAs(checks, "duplicates-bounded");
                verdicts.CompletedStepsNotRerun.RecordAs(checks, "no-rerun");
                MeasuredKill(fact, run, "");
                fact.Finding(
                    $"Variant: step chains run by DurableEval.Worker --host agentframework, checkpointed with CheckpointManager.CreateJson over FileSystemJsonCheckpointStore "
                    + $"in a temporary folder; the process is killed with SIGKILL of its tree and a fresh one resumes every unfinished run from "
                    + $"CheckpointManager.GetLatestCheckpointAsync(session); {options.Workflows} runs x {options.Steps} steps of {options.WorkMilliseconds} ms, "
                    + $"seed {run.Observation.Seed} (kills after {string.Join("/", run.Observation.Schedule.Select(k => k.AfterCompletedSteps))} of {options.TotalSteps} completed steps), "
                    + $"{verdicts.Metrics.KillsLanded} of {verdicts.Metrics.KillsTaken} kills landed on in-flight work, {run.WorkerProcesses} worker processes, "
                    + $"{run.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.");
                fact.Finding(
                    "The framework hands an executor no attempt number and no idempotency key, so each raw execution records its own execution id as its key: "
                    + "a step in flight at a kill runs again from the checkpoint and its effect applies again unless the application deduplicates it.");
            });

        fact.Finding(
            "The oracles are the Temporal protocol's; with no server history here, their history cross-checks read none (\"0 histories\"): "
            + "a step counts as recorded once the next step started, which the runner allows only after the superstep's checkpoint was written.");
        fact.Finding(FileStoreCaveat);
        fact.Cite("FileSystemJsonCheckpointStore: intended for durable, process-exclusive checkpoint persistence; instances are not thread-safe.", FileStoreSource);
        fact.Finding(LeftToTheUser);
        fact.Cite("Checkpoints are created at the end of each superstep; a workflow can be resumed from a checkpoint, including in a new process (rehydration).", CheckpointsDoc);
        fact.Conclude();
    }

    private static void MeasuredKill(FactRecorder fact, CheckpointKillRun run, string prefix)
    {
        var m = run.Verdicts.Metrics;
        fact.Metric($"{prefix}kills_landed", m.KillsLanded, "count");
        fact.Metric($"{prefix}in_flight_steps_hit", m.InFlightStepsHit, "count");
        fact.Metric($"{prefix}duplicate_executions", m.DuplicateExecutions, "count");
        if (m.RecoveryMilliseconds.Count > 0 && m.RecoveryMilliseconds.All(r => r is not null))
        {
            fact.Metric($"{prefix}recovery_ms_max", m.RecoveryMilliseconds.Max(r => r!.Value), "ms");
        }
    }
}
