using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    /// <summary>
    /// The pitfall catalogue: the rules of .NET workflow code a developer must know. Ordered so that runs which
    /// leave a failing workflow task (and so hold a time-skipping server's lock) come after those needing a timer.
    /// </summary>
    private static readonly (string Pitfall, Type Workflow)[] Pitfalls =
    [
        ("timer length from System.Random", typeof(RandomTimerPitfallWorkflow)),
        ("Task.WhenAny instead of Workflow.WhenAnyAsync", typeof(TaskWhenAnyPitfallWorkflow)),
        ("wall-clock time (DateTime.UtcNow)", typeof(WallClockPitfallWorkflow)),
        ("System.Random", typeof(SystemRandomPitfallWorkflow)),
        ("Guid.NewGuid", typeof(NewGuidPitfallWorkflow)),
        ("HashSet/Dictionary iteration order", typeof(HashOrderPitfallWorkflow)),
        ("static mutable state", typeof(StaticStatePitfallWorkflow)),
        ("ConfigureAwait(false)", typeof(ConfigureAwaitPitfallWorkflow)),
        ("Task.Delay", typeof(TaskDelayPitfallWorkflow)),
        ("Task.Run (thread pool)", typeof(ThreadPoolPitfallWorkflow)),
        ("Thread.Sleep (blocking the workflow thread)", typeof(BlockingSleepPitfallWorkflow)),
    ];

    /// <summary>A run whose last task completed with every timer fired and every activity closed: it waits on nothing.</summary>
    private static bool Stalled(WorkflowHistory history) =>
        history.Events.Count > 0
        && history.Events.Last().EventType == EventType.WorkflowTaskCompleted
        && HistoryProbe.Count(history, EventType.TimerStarted) == HistoryProbe.Count(history, EventType.TimerFired)
        && HistoryProbe.Count(history, EventType.ActivityTaskScheduled) == HistoryProbe.Count(history, EventType.ActivityTaskCompleted)
            + HistoryProbe.Count(history, EventType.ActivityTaskFailed) + HistoryProbe.Count(history, EventType.ActivityTaskTimedOut);

    [SkippableFact]
    [Criterion("DX-06")]
    public async Task DX06_LearningCurve()
    {
        const string Id = "DX-06";
        var edge = CriterionThresholds.Get(Id, "caught_share_edge");
        var production = CriterionThresholds.Get(Id, "caught_share_production");
        var bound = TimeSpan.FromSeconds(10);
        var settle = TimeSpan.FromSeconds(1);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("catalogue-observed", $"Each of the {Pitfalls.Length} pitfall workflows ends in an observation: a run-time task failure, a replay failure, or a clean run and replay"),
                Edge("most-caught", $"At least {edge.Value.ToString("P0", CultureInfo.InvariantCulture)} of the pitfalls are caught by the SDK itself at run time (replay catches are reported, not counted; DurableEval's threshold)"),
                Production("nearly-all-caught", $"At least {production.Value.ToString("P0", CultureInfo.InvariantCulture)} are caught by the SDK at run time (DurableEval's threshold)"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("pitfalls");
                var options = new TemporalWorkerOptions(queue).AddAllActivities(new PitfallActivities());
                foreach (var (_, type) in Pitfalls)
                {
                    options.AddWorkflow(WorkflowDefinition.Create(type));
                }

                // A cached worker: a live run does not replay, so a run-time catch is the SDK's own detection.
                await using var worker = RunningWorker.Start(server.Client, options);
                var outcomes = new List<CaughtBy>();
                var lines = new List<string>();
                foreach (var (pitfall, type) in Pitfalls)
                {
                    var definition = WorkflowDefinition.Create(type);
                    var pitfallOptions = server.Options("pitfall", queue, TimeSpan.FromMinutes(2));
                    server.ExpectTaskFailures(pitfallOptions.Id!);
                    var handle = await server.Client.StartWorkflowAsync(definition.Name!, [], pitfallOptions);
                    WorkflowHistory? history = null;

                    // A stalled run (last task completed, no timer or activity pending) can never get another task,
                    // so nothing about it can change: seen stalled with no new event for `settle`, it is final and
                    // the rest of the bound would only be waited out.
                    (int Events, TimeSpan At)? stalledSince = null;
                    var waited = System.Diagnostics.Stopwatch.StartNew();
                    await Eventually.HoldsAsync(
                        async () =>
                        {
                            history = await handle.FetchHistoryAsync();
                            if (HistoryProbe.FirstOf(history, EventType.WorkflowTaskFailed) is not null
                                || HistoryProbe.FirstOf(history, EventType.WorkflowExecutionCompleted) is not null)
                            {
                                return true;
                            }

                            if (!Stalled(history))
                            {
                                stalledSince = null;
                                return false;
                            }

                            if (stalledSince is not { } since || since.Events != history.Events.Count)
                            {
                                stalledSince = (history.Events.Count, waited.Elapsed);
                                return false;
                            }

                            return waited.Elapsed - since.At >= settle;
                        },
                        bound,
                        checks.Cancellation);
                    var taskFailure = history is null ? null : HistoryProbe.FirstOf(history, EventType.WorkflowTaskFailed)?.WorkflowTaskFailedEventAttributes.Failure?.Message;
                    var completed = history is not null && HistoryProbe.FirstOf(history, EventType.WorkflowExecutionCompleted) is not null;
                    CaughtBy outcome;
                    string how;
                    if (taskFailure is not null)
                    {
                        outcome = CaughtBy.RunTime;
                        how = $"workflow task failed: \"{Shorten(ServerFixture.OneLine(taskFailure))}\"";
                        await handle.TerminateAsync("DurableEval: pitfall observed");
                    }
                    else if (completed)
                    {
                        var replay = await HistoryProbe.ReplayAsync([history!], o => o.AddWorkflow(definition), checks.Cancellation);
                        outcome = replay[0].Failure is null ? CaughtBy.Nothing : CaughtBy.Replay;
                        how = replay[0].Failure is null
                            ? "ran to completion; its history replayed cleanly in the same process"
                            : $"ran to completion; replay failed: \"{Shorten(HistoryProbe.Summarize(replay[0].Failure!))}\"";
                    }
                    else if (history is not null && Stalled(history))
                    {
                        // Nothing left to run and no error: the workflow hangs silently, which nobody catches.
                        outcome = CaughtBy.Nothing;
                        how = $"hung silently: no result, no task failure and nothing pending, unchanged for {settle.TotalSeconds:0} s after {waited.Elapsed.TotalSeconds:0.#} s (last event {history.Events.Last().EventType})";
                        await handle.TerminateAsync("DurableEval: pitfall observed");
                    }
                    else
                    {
                        outcome = CaughtBy.Undetermined;
                        how = $"neither completed nor failed a workflow task within {bound.TotalSeconds:0} s";
                    }

                    outcomes.Add(outcome);
                    lines.Add($"Pitfall \"{pitfall}\" ({type.Name}): caught by {outcome}; {how}");
                }

                var verdict = PitfallVerdict.Judge(outcomes, edge.Value, production.Value);
                foreach (var line in lines)
                {
                    fact.Finding(line);
                }

                checks.Expect("catalogue-observed", verdict.Undetermined == 0 && verdict.Total == Pitfalls.Length, verdict.Describe());
                checks.Expect("most-caught", verdict.MeetsEdge, verdict.Describe());
                checks.Expect("nearly-all-caught", verdict.MeetsProduction, verdict.Describe());
                fact.Metric("pitfalls_total", verdict.Total, "pitfalls");
                fact.Metric("pitfalls_caught_at_run_time", verdict.RunTime, "pitfalls");
                fact.Metric("pitfalls_caught_by_replay", verdict.Replay, "pitfalls");
                fact.Metric("pitfalls_caught_by_nothing", verdict.Nothing, "pitfalls");
                fact.Metric("pitfalls_caught_at_run_time_share", verdict.RunTimeShare, "share");
                fact.Metric("pitfalls_caught_only_by_replay_share", verdict.ReplayShare, "share");
                fact.Finding(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Replay catches, reported apart and not rated: {verdict.Replay} of {verdict.Total} pitfalls surfaced only when the harness replayed the completed history (the SDK's WorkflowReplayer run by DurableEval, not by the SDK on its own); a team that does not replay its histories in CI does not see them."));
                fact.Finding("Replay catches a value-dependent pitfall only when the value differs between the run and the replay and steers a command's type; values that only change a timer's length or the result pass replay. String hash order is randomized per process, so it looks stable in a same-process replay and diverges after a worker restart.");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Cite("The .NET SDK lists workflow code rules (no Task.Run, Task.Delay, ConfigureAwait(false), Task.WhenAny/WhenAll without the Workflow equivalents, no system time, random or GUIDs) and detects some of them at run time.", "https://github.com/temporalio/sdk-dotnet#workflow-logic-constraints");
        fact.Conclude();
    }
}
