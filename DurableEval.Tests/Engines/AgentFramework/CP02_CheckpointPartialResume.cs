using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// Partial resume after a crash: one kill mid-step; the new process resumes each run from its latest checkpoint,
    /// so steps checkpointed before the kill are not executed again and the run finishes with the right output.
    /// </summary>
    [SkippableFact]
    [Criterion("CP-02", Engine = Engine)]
    public async Task CP02_CheckpointPartialResume()
    {
        var crash = CheckpointKill.Options(kills: 1);
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.WorkerProcesses,
            [
                Core("crash-resume", $"{crash.Workflows} runs of {crash.Steps} steps finish after their process is killed hard mid-step; no step checkpointed before the kill runs again; re-executions keep a deduplication key from the framework"),
                Core("resumes-at-failed-step", "Only the steps in flight at the kill run again, and each at most once"),
            ],
            async checks =>
            {
                var run = await CheckpointKill.RunAsync(crash, Output.WriteLine, checks.Cancellation);
                var v = run.Verdicts;
                var combined = OracleVerdict.AllOf(v.AllComplete, v.CompletedStepsNotRerun, v.EffectsOnce);
                (run.Observation.WorkerExit is not null ? v.AllComplete
                    : combined with { Evidence = $"seed {run.Observation.Seed}, {v.Metrics.KillsLanded} of {v.Metrics.KillsTaken} kills landed, {v.Metrics.InFlightStepsHit} steps in flight hit: {combined.Evidence}" })
                    .RecordAs(checks, "crash-resume");
                OracleVerdict.AllOf(v.AllComplete, v.DuplicatesBounded).RecordAs(checks, "resumes-at-failed-step");
                fact.Metric("crash_kills_landed", v.Metrics.KillsLanded, "count");
                fact.Metric("crash_in_flight_steps_hit", v.Metrics.InFlightStepsHit, "count");
                fact.Metric("crash_duplicate_executions", v.Metrics.DuplicateExecutions, "count");
            });

        fact.Finding(
            "The oracles are the Temporal protocol's; with no server history here, their history cross-checks read none (\"0 histories\"): "
            + "a step counts as recorded once the next step started, which the runner allows only after the superstep's checkpoint was written.");
        fact.Finding(FileStoreCaveat);
        fact.Cite("FileSystemJsonCheckpointStore: intended for durable, process-exclusive checkpoint persistence; instances are not thread-safe.", FileStoreSource);
        fact.Finding(LeftToTheUser);
        fact.Cite("A workflow resumed from a checkpoint continues from the superstep after it; executors of later supersteps run again.", CheckpointsDoc);
        fact.Conclude();
    }
}
