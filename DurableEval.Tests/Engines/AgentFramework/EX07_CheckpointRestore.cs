using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    private const int CrashAtStep = 3;

    /// <summary>
    /// Resume from a checkpoint: a step chain abandoned with step 3 in flight is restored in a fresh checkpoint manager
    /// over the same folder (what a restarted process has): it yields the uninterrupted run's output and does not
    /// re-run the executors that completed before the checkpoint; restoring an earlier checkpoint also gives the
    /// same output, re-running only what came after it.
    /// </summary>
    [SkippableFact]
    [Criterion("EX-07", Engine = Engine)]
    public async Task EX07_CheckpointRestore()
    {
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("resumes-from-last-checkpoint", $"Resumed from the latest checkpoint after a crash with step {CrashAtStep} of {CheckpointResume.Steps} in flight, steps 1..{CrashAtStep - 1} run 0 times and the rest once each"),
                Core("same-result", "The resumed run yields exactly the output of an uninterrupted run, computed from the inputs"),
                Edge("earlier-checkpoint-replays", "Restoring the first checkpoint (after step 1) instead yields the same output, re-running only steps 2.."),
            ],
            async checks =>
            {
                using var resume = new CheckpointResume(AgentFrameworkHostInfo.NewCheckpointFolder("ex07"), CheckpointResume.FileStore);
                if (!await resume.CrashAtAsync(CrashAtStep, checks.Cancellation))
                {
                    checks.NotRunRemaining($"step {CrashAtStep} never started within 10 s, so there was no crash to resume from");
                    return;
                }

                var latest = await resume.ResumeAsync(from: null, checkpointedSteps: CrashAtStep - 1, variant: "", checks.Cancellation);
                CheckpointResumeOracle.NoRerunBeforeCheckpoint(latest).RecordAs(checks, "resumes-from-last-checkpoint");
                CheckpointResumeOracle.SameResult(latest).RecordAs(checks, "same-result");

                if (resume.Announced.Count == 0)
                {
                    checks.NotRun("earlier-checkpoint-replays", "the first run announced no checkpoint (SuperStepCompletedEvent with CheckpointInfo) before the crash");
                }
                else
                {
                    var early = await resume.ResumeAsync(resume.Announced[0], checkpointedSteps: 1, variant: "", checks.Cancellation);
                    OracleVerdict.AllOf(CheckpointResumeOracle.NoRerunBeforeCheckpoint(early), CheckpointResumeOracle.SameResult(early)).RecordAs(checks, "earlier-checkpoint-replays");
                }
            });

        fact.Finding(
            "Restoring is not replay: a checkpoint holds the executors' state and the messages in flight at a superstep boundary, and the resumed run re-executes "
            + "every executor after that boundary (its side effects included); there is no event history to replay against changed code.");
        fact.Finding(LeftToTheUser);
        fact.Cite("Checkpoints capture executor state, pending messages, requests and responses, and shared state at the end of each superstep; a run can be restored or rehydrated from any of them.", CheckpointsDoc);
        fact.Conclude();
    }
}
