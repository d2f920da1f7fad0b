using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// A checkpointed run meeting changed workflow code: the checkpoint of a chain abandoned with step 3 in flight is
    /// resumed (a) into a workflow whose graph changed (the last step's executor renamed) and (b) into one whose steps'
    /// code changed with every id kept (a new release). What happens is recorded as observed.
    /// </summary>
    [SkippableFact]
    [Criterion("VR-01", Engine = Engine)]
    public async Task VR01_CheckpointMeetsChangedCode()
    {
        const string NewCode = "-v2";
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("graph-change-detected", "Resuming a checkpoint into a workflow whose graph changed (an executor renamed) is refused before any step runs"),
                Core("code-change-detected", "Resuming a checkpoint into a workflow whose executors' code changed (ids and edges kept) is detected or refused, not silently continued in the new code"),
                Edge("unchanged-code-resumes", "The same checkpoint resumed into unchanged code yields the uninterrupted run's output"),
            ],
            async checks =>
            {
                using var resume = new CheckpointResume(AgentFrameworkHostInfo.NewCheckpointFolder("vr01"), CheckpointResume.FileStore);
                if (!await resume.CrashAtAsync(CrashAtStep, checks.Cancellation))
                {
                    checks.NotRunRemaining($"step {CrashAtStep} never started within 10 s, so there was no checkpointed run to resume");
                    return;
                }

                // Every attempt resumes the same checkpoint: a resumed run that finishes adds checkpoints of its own.
                var checkpoint = await resume.LatestAsync(checks.Cancellation);
                if (checkpoint is null)
                {
                    checks.NotRunRemaining("the crashed run left no checkpoint to resume");
                    return;
                }

                var (renamed, renamedFailure) = await TryResumeAsync(resume, checkpoint, variant: "", renameLast: true, checks.Cancellation);
                var stepsRun = resume.LastResumeExecutions.Values.Sum();
                checks.Expect(
                    "graph-change-detected",
                    renamedFailure is not null && stepsRun == 0,
                    renamedFailure is not null
                        ? $"refused: {renamedFailure}; {stepsRun} step executions in the new code"
                        : $"not detected: the run resumed into the renamed graph and yielded {(renamed?.Output is null ? "nothing" : $"'{renamed.Output}'")}{(renamed?.Error is null ? string.Empty : $" ({renamed.Error})")}");

                var (changed, changedFailure) = await TryResumeAsync(resume, checkpoint, NewCode, renameLast: false, checks.Cancellation);
                var mixed = string.Join(",", Enumerable.Range(1, CheckpointResume.Steps).Select(s => StepChainWorkflow.StepResult(0, s, s < CrashAtStep ? string.Empty : NewCode)));
                checks.Expect(
                    "code-change-detected",
                    changedFailure is not null || changed?.Error is not null,
                    changedFailure is not null ? $"refused: {changedFailure}"
                    : changed?.Error is not null ? $"the resumed run failed: {changed.Error}"
                    : $"not detected: the run silently resumed into the changed code and yielded '{changed?.Output}' "
                        + $"({(changed?.Output == mixed ? $"steps 1..{CrashAtStep - 1} from the old code, {CrashAtStep}..{CheckpointResume.Steps} from the new" : $"expected the mix '{mixed}'")})");

                var (same, sameFailure) = await TryResumeAsync(resume, checkpoint, variant: "", renameLast: false, checks.Cancellation);
                if (same is null)
                {
                    checks.Expect("unchanged-code-resumes", false, $"refused: {sameFailure}");
                }
                else
                {
                    CheckpointResumeOracle.SameResult(same).RecordAs(checks, "unchanged-code-resumes");
                }
            });

        fact.Finding(
            "Observed on 1.28.0: restoring compares the checkpoint's recorded graph (executor ids and types, edges, request ports) with the workflow and throws "
            + "InvalidDataException (\"The specified checkpoint is not compatible with the workflow associated with this runner\") when they differ; "
            + "changed executor code under the same ids and edges is not detected: the run continues in the new code. Versioning is the application's.");
        fact.Finding(LeftToTheUser);
        fact.Cite("Checkpoints store the workflow's executor state and messages at superstep boundaries; the documentation describes no workflow versioning.", CheckpointsDoc);
        fact.Conclude();
    }

    private static async Task<(ResumeObservation? Observation, string? Refused)> TryResumeAsync(
        CheckpointResume resume, Microsoft.Agents.AI.Workflows.CheckpointInfo checkpoint, string variant, bool renameLast, CancellationToken cancellation)
    {
        try
        {
            return (await resume.ResumeAsync(checkpoint, checkpointedSteps: CrashAtStep - 1, variant, cancellation, renameLast), null);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
