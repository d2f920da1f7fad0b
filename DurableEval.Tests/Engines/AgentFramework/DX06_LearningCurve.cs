using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>Every pitfall run ends here at the latest; a run of these graphs takes milliseconds.</summary>
    private static readonly TimeSpan PitfallRunBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The mistakes the framework leaves to a newcomer, each run on the in-process execution and judged by what was
    /// observed: stopped by the framework (an exception or an error event) or silently wrong (the run went on).
    /// Agent Framework workflows do not replay, so no replay catches exist to report.
    /// </summary>
    [SkippableFact]
    [Criterion("DX-06", Engine = Engine)]
    public async Task DX06_LearningCurve()
    {
        const string Id = "DX-06";
        var edge = CriterionThresholds.Get(Id, "caught_share_edge");
        var production = CriterionThresholds.Get(Id, "caught_share_production");
        const int Pitfalls = 5;
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("catalogue-observed", $"Each of the {Pitfalls} pitfall runs ends in an observation: stopped by the framework, or ran on without an error"),
                Edge("most-caught", $"At least {edge.Value.ToString("P0", CultureInfo.InvariantCulture)} of the pitfalls are caught by the framework itself at run time (DurableEval's threshold)"),
                Production("nearly-all-caught", $"At least {production.Value.ToString("P0", CultureInfo.InvariantCulture)} are caught by the framework at run time (DurableEval's threshold)"),
            ],
            async checks =>
            {
                var observed = new List<(string Pitfall, CaughtBy Outcome, string How)>();
                void Add(string pitfall, (CaughtBy Outcome, string How) seen) => observed.Add((pitfall, seen.Outcome, seen.How));

                // 1. Executor state shared by two runs of one workflow object.
                var input = $"run-{Guid.NewGuid():N}"[..12];
                var shared = PitfallWorkflows.SharedState();
                var first = await ObservePitfallRunAsync(() => shared, input, checks.Cancellation);
                var second = await ObservePitfallRunAsync(() => shared, input, checks.Cancellation);
                Add("executor state shared across runs", JudgeSharedState(first, second, PitfallWorkflows.FreshCount(input)));

                // 2. An edge whose target cannot handle the source's message type.
                var mismatched = await ObservePitfallRunAsync(PitfallWorkflows.MismatchedEdge, input, checks.Cancellation);
                Add("edge between mismatched message types", JudgeExpectedOutput(mismatched, null));

                // 3. No output source declared: the result is computed and never yielded.
                var undeclared = await ObservePitfallRunAsync(PitfallWorkflows.UndeclaredOutput, input, checks.Cancellation);
                Add("output source not declared (WithOutputFrom forgotten)", JudgeExpectedOutput(undeclared, null));

                // 4. A RequestPort wait that nobody answers: the framework gives it no deadline.
                Add("unanswered RequestPort wait (no deadline)", await ObserveUnansweredWaitAsync(input, checks.Cancellation));

                // 5. A checkpoint resumed into changed executor code (VR-01's case, the same machinery).
                Add("checkpoint resumed into changed executor code", await ObserveChangedCodeResumeAsync(checks.Cancellation));

                foreach (var (pitfall, outcome, how) in observed)
                {
                    fact.Finding($"Pitfall \"{pitfall}\": caught by {outcome}; {how}");
                }

                var verdict = PitfallVerdict.Judge(observed.Select(o => o.Outcome).ToList(), edge.Value, production.Value);
                checks.Expect("catalogue-observed", verdict.Undetermined == 0 && verdict.Total == Pitfalls, verdict.Describe());
                checks.Expect("most-caught", verdict.MeetsEdge, verdict.Describe());
                checks.Expect("nearly-all-caught", verdict.MeetsProduction, verdict.Describe());
                fact.Metric("pitfalls_total", verdict.Total, "pitfalls");
                fact.Metric("pitfalls_caught_at_run_time", verdict.RunTime, "pitfalls");
                fact.Metric("pitfalls_caught_by_nothing", verdict.Nothing, "pitfalls");
                fact.Metric("pitfalls_caught_at_run_time_share", verdict.RunTimeShare, "share");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Finding(LeftToTheUser);
        fact.Cite("Workflows are built from executors and edges with WorkflowBuilder; outputs come from the executors named with WithOutputFrom; RequestPort waits for an external response.", "https://learn.microsoft.com/agent-framework/workflows/overview");
        fact.Cite("Checkpoints store the workflow's executor state and messages at superstep boundaries; the documentation describes no workflow versioning.", CheckpointsDoc);
        fact.Conclude();
    }

    /// <summary>How a pitfall run went: refused (an exception while building or starting), or its end as watched.</summary>
    internal sealed record PitfallRun(string? Refused, RunEnd? End, bool TimedOut);

    private static async Task<PitfallRun> ObservePitfallRunAsync(Func<Workflow> build, string input, CancellationToken cancellation)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(PitfallRunBound);
        try
        {
            var workflow = build();
            await using var run = await InProcessExecution.RunStreamingAsync(workflow, input, null, bound.Token);
            return new PitfallRun(null, await CheckpointedRuns.WatchAsync(run, null, bound.Token), false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new PitfallRun(null, null, true);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return new PitfallRun($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", null, false);
        }
    }

    /// <summary>Refused or failed: caught. Ran to its end: the framework let it through. No end within the bound: no observation.</summary>
    internal static (CaughtBy Outcome, string How) JudgeExpectedOutput(PitfallRun run, string? expected) => run switch
    {
        { Refused: { } refused } => (CaughtBy.RunTime, $"refused: {refused}"),
        { End.Error: { } error } => (CaughtBy.RunTime, $"the run failed: {error}"),
        { End: { } end } => (CaughtBy.Nothing, $"ran without an error and yielded {(end.Output is null ? "no output" : $"'{end.Output}'")}{(expected is null ? "" : $" (a correct run yields '{expected}')")}"),
        _ => (CaughtBy.Undetermined, $"no end within {PitfallRunBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"),
    };

    /// <summary>
    /// Two runs of one workflow object: the second yielding what a fresh executor yields means the framework isolated
    /// the runs (the pitfall cannot bite: counted as caught); a refused second run is caught; anything else is state
    /// silently carried from the first run into the second.
    /// </summary>
    internal static (CaughtBy Outcome, string How) JudgeSharedState(PitfallRun first, PitfallRun second, string fresh)
    {
        if (first.End?.Output != fresh)
        {
            return (CaughtBy.Undetermined, $"the first run did not yield '{fresh}' ({first.Refused ?? first.End?.Error ?? first.End?.Output ?? "no end"})");
        }

        return second switch
        {
            { Refused: { } refused } => (CaughtBy.RunTime, $"the second run of the same workflow object was refused: {refused}"),
            { End.Error: { } error } => (CaughtBy.RunTime, $"the second run failed: {error}"),
            { End.Output: { } output } when output == fresh => (CaughtBy.RunTime, $"the framework isolated the runs: the second also yielded '{output}'"),
            { End: { } end } => (CaughtBy.Nothing, $"silently wrong: the second run yielded '{end.Output ?? "nothing"}' where a fresh executor yields '{fresh}' (the first run's field value carried over)"),
            _ => (CaughtBy.Undetermined, "the second run had no end within the bound"),
        };
    }

    private static async Task<(CaughtBy, string)> ObserveUnansweredWaitAsync(string order, CancellationToken cancellation)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(PitfallRunBound);
        try
        {
            await using var run = await InProcessExecution.RunStreamingAsync(ApprovalWorkflow.Build(new ExecutorCounter()), order, null, bound.Token);
            var end = await CheckpointedRuns.WatchAsync(run, null, bound.Token);
            var status = await run.GetStatusAsync(bound.Token);
            return end switch
            {
                { Error: { } error } => (CaughtBy.RunTime, $"the run failed: {error}"),
                { Requests.Count: > 0 } when status == RunStatus.PendingRequests =>
                    (CaughtBy.Nothing, $"waits with no deadline: status {status} with the request unanswered and no error or timeout event; ending it is the application's"),
                _ => (CaughtBy.Undetermined, $"status {status}, {end.Requests.Count} request(s), output {end.Output ?? "none"}"),
            };
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return (CaughtBy.Undetermined, $"the run neither asked nor ended within {PitfallRunBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
    }

    private static async Task<(CaughtBy, string)> ObserveChangedCodeResumeAsync(CancellationToken cancellation)
    {
        using var resume = new CheckpointResume(AgentFrameworkHostInfo.NewCheckpointFolder("dx06"), CheckpointResume.FileStore);
        if (!await resume.CrashAtAsync(CrashAtStep, cancellation) || await resume.LatestAsync(cancellation) is not { } checkpoint)
        {
            return (CaughtBy.Undetermined, $"no checkpointed run to resume: step {CrashAtStep} never started or left no checkpoint");
        }

        var (changed, refused) = await TryResumeAsync(resume, checkpoint, "-v2", renameLast: false, cancellation);
        return (changed, refused) switch
        {
            (_, { } r) => (CaughtBy.RunTime, $"refused: {r}"),
            ({ Error: { } error }, _) => (CaughtBy.RunTime, $"the resumed run failed: {error}"),
            ({ } c, _) => (CaughtBy.Nothing, $"silently resumed into the changed code and yielded '{c.Output}'"),
            _ => (CaughtBy.Undetermined, "no observation"),
        };
    }
}
