using System.Globalization;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Tests.AgentFramework;

/// <summary>
/// A resume from a checkpoint, as observed: how many steps had completed (and so been checkpointed) before the
/// crash, how often each step ran after the resume, what the resumed run yielded, and what it was expected to yield.
/// </summary>
public sealed record ResumeObservation(
    int Steps, int CheckpointedSteps, IReadOnlyDictionary<int, int> ExecutionsAfterResume, string Expected, string? Output, string? Error, string ResumedFrom);

/// <summary>The checks on a resume, pure functions of a <see cref="ResumeObservation"/>.</summary>
public static class CheckpointResumeOracle
{
    /// <summary>Steps checkpointed before the resume point ran 0 times after it; every later step exactly once.</summary>
    public static OracleVerdict NoRerunBeforeCheckpoint(ResumeObservation o)
    {
        var problems = new List<string>();
        for (var step = 1; step <= o.Steps; step++)
        {
            var runs = o.ExecutionsAfterResume.GetValueOrDefault(step);
            var expected = step <= o.CheckpointedSteps ? 0 : 1;
            if (runs != expected)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"step {step} ran {runs} time(s) after the resume, expected {expected}"));
            }
        }

        var counts = string.Join(",", Enumerable.Range(1, o.Steps).Select(s => o.ExecutionsAfterResume.GetValueOrDefault(s).ToString(CultureInfo.InvariantCulture)));
        return OracleVerdict.Of(
            problems.Count == 0,
            problems.Count == 0
                ? $"resumed from {o.ResumedFrom}: steps 1..{o.CheckpointedSteps} (checkpointed) ran 0 times, the other {o.Steps - o.CheckpointedSteps} once each (executions per step after the resume: {counts})"
                : $"resumed from {o.ResumedFrom}: {string.Join("; ", problems)} (executions per step after the resume: {counts})");
    }

    /// <summary>The resumed run yielded exactly the output computed from the inputs.</summary>
    public static OracleVerdict SameResult(ResumeObservation o) =>
        OracleVerdict.Of(
            o.Output == o.Expected,
            o.Output == o.Expected
                ? $"the resumed run yielded '{o.Output}', the output of an uninterrupted run"
                : $"the resumed run yielded {(o.Output is null ? "nothing" : $"'{o.Output}'")}{(o.Error is null ? string.Empty : $" ({o.Error})")}, expected '{o.Expected}'");
}

/// <summary>
/// Crash and resume in this process: a step chain runs until step <c>crashAt</c> is in flight and is abandoned
/// there; then, with a fresh checkpoint manager over the same folder (what a restarted process has), the run resumes
/// from the session's latest checkpoint, or from a checkpoint the caller names. The store is opened by
/// <c>open</c>, so a self-test can hand in a broken one.
/// </summary>
public sealed class CheckpointResume(string folder, Func<string, (CheckpointManager Manager, IDisposable Store)> open) : IDisposable
{
    public const int Steps = 4;

    public string Session { get; } = $"af-resume-{Guid.NewGuid():N}";

    /// <summary>The checkpoints the first run announced before its crash, in order.</summary>
    public IReadOnlyList<CheckpointInfo> Announced { get; private set; } = [];

    public string Expected => StepChainWorkflow.Expected(0, Steps);

    /// <summary>Runs the chain until step <paramref name="crashAt"/> is in flight, then abandons it; false when the hold was never reached.</summary>
    public async Task<bool> CrashAtAsync(int crashAt, CancellationToken cancellation)
    {
        using var recorder = new CountingStepRecorder { HoldAt = crashAt };
        var (manager, store) = open(folder);
        using (store)
        {
            var run = await InProcessExecution.RunStreamingAsync(StepChainWorkflow.Build(Steps, recorder), StepChainWorkflow.Start(Session, 0), manager, Session, cancellation);
            var (reached, checkpoints) = await InProcessRuns.RunUntilAsync(run, recorder.HoldReached, recorder.Crash, crashAt - 1, TimeSpan.FromSeconds(10));
            Announced = checkpoints;
            return reached;
        }
    }

    /// <summary>
    /// Resumes in a fresh manager from <paramref name="from"/> (null: the session's latest checkpoint), expecting the
    /// first <paramref name="checkpointedSteps"/> steps to be behind that checkpoint.
    /// </summary>
    public async Task<ResumeObservation> ResumeAsync(CheckpointInfo? from, int checkpointedSteps, string variant, CancellationToken cancellation, bool renameLast = false)
    {
        using var recorder = new CountingStepRecorder();
        executionsAtEnd = new Dictionary<int, int>();
        var (manager, store) = open(folder);
        using (store)
        {
            try
            {
                var checkpoint = from ?? await manager.GetLatestCheckpointAsync(Session, cancellation)
                    ?? throw new InvalidOperationException($"no checkpoint for {Session} in {folder}");
                await using var run = await InProcessExecution.ResumeStreamingAsync(StepChainWorkflow.Build(Steps, recorder, variant, renameLast), checkpoint, manager, cancellation);
                var end = await CheckpointedRuns.WatchAsync(run, onRequest: null, cancellation);
                var index = Announced.ToList().IndexOf(checkpoint);
                var which = from is null ? "the latest checkpoint"
                    : index >= 0 ? $"checkpoint {index + 1} of {Announced.Count} announced before the crash"
                    : $"checkpoint {checkpoint.CheckpointId}";
                return new ResumeObservation(Steps, checkpointedSteps, recorder.Snapshot(), Expected, end.Output, end.Error, which);
            }
            finally
            {
                executionsAtEnd = recorder.Snapshot();
            }
        }
    }

    /// <summary>The session's latest checkpoint, read as a restarted process would.</summary>
    public async Task<CheckpointInfo?> LatestAsync(CancellationToken cancellation)
    {
        var (manager, store) = open(folder);
        using (store)
        {
            return await manager.GetLatestCheckpointAsync(Session, cancellation);
        }
    }

    private IReadOnlyDictionary<int, int> executionsAtEnd = new Dictionary<int, int>();

    /// <summary>Step executions of the last resume attempt that got as far as running (empty when it was refused first).</summary>
    public IReadOnlyDictionary<int, int> LastResumeExecutions => executionsAtEnd;

    public void Dispose() => AgentFrameworkHostInfo.DeleteQuietly(folder);

    /// <summary>The file-backed store the facts use.</summary>
    public static (CheckpointManager Manager, IDisposable Store) FileStore(string folder)
    {
        var (manager, store) = CheckpointedRuns.InFolder(folder);
        return (manager, store);
    }
}
