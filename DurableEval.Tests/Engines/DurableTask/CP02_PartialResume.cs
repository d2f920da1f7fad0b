using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class AzureStorageFacts
{
    [SkippableFact]
    [Criterion("CP-02", Engine = "durabletask")]
    public async Task CP02_PartialResume()
    {
        var fact = Begin();

        // The crash variant of Temporal's CP-02: the worker is a separate process killed hard mid-step (the kill
        // protocol as EX-01 runs it, smaller); the task hub's record of completed steps decides what runs again.
        var crash = KillOptions with { Workflows = 5, Steps = 5, Kills = 1 };
        await OnStorageAsync(
            fact,
            [
                Core("crash-resume", $"{crash.Workflows} orchestrations of {crash.Steps} steps finish after their worker process is killed hard mid-step; no step the task hub had recorded before the kill runs again, and the final histories hold every recorded step; re-executions keep their deduplication key (instance id + task id) and their delivery attempts rise"),
            ],
            async (storage, checks) =>
            {
                var run = await AzureStorageKillProtocol.RunAsync(storage, crash, Output.WriteLine, checks.Cancellation);
                var v = run.Verdicts;
                var combined = OracleVerdict.AllOf(v.AllComplete, v.CompletedStepsNotRerun, v.EffectsOnce);

                // A worker that could not start or died by itself ended the run: its reason leads, the kill counts say nothing.
                (run.Observation.WorkerExit is not null ? v.AllComplete
                    : combined with { Evidence = $"seed {run.Observation.Seed}, {v.Metrics.KillsLanded} of {v.Metrics.KillsTaken} kills landed, {v.Metrics.InFlightStepsHit} steps in flight hit: {combined.Evidence}" })
                    .RecordAs(checks, "crash-resume");
                fact.Metric("crash_kills_landed", v.Metrics.KillsLanded, "count");
                fact.Metric("crash_in_flight_steps_hit", v.Metrics.InFlightStepsHit, "count");
                fact.Metric("crash_protocol_run_s", run.Elapsed.TotalSeconds, "s");
                fact.Finding("Crash variant: " + Describe(crash, run));
            });

        fact.Cite(
            "After a crash the orchestration replays its history: completed activities are not executed again, their recorded results are used.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-orchestrations#reliability");
        fact.Conclude();
    }
}
