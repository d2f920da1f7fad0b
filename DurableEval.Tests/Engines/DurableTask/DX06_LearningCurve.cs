using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    /// <summary>
    /// The documented orchestrator code constraints a newcomer breaks, each as an orchestrator (or the one EX-05 runs
    /// for the same construct). The host replays the orchestrator on every new event, so whatever the SDK catches it
    /// catches while the run is live: there is no separate replay harness to count.
    /// </summary>
    private static readonly (string Pitfall, string Orchestrator)[] DurablePitfalls =
    [
        ("wall-clock time (DateTime.UtcNow)", nameof(WallClockPitfallOrchestrator)),
        ("Guid.NewGuid", nameof(NewGuidPitfallOrchestrator)),
        ("System.Random", nameof(SystemRandomPitfallOrchestrator)),
        ("static mutable state", nameof(StaticStatePitfallOrchestrator)),
        ("I/O in the orchestrator (file append)", nameof(FileIoPitfallOrchestrator)),
        ("HashSet iteration order", nameof(HashOrderPitfallOrchestrator)),
        ("ConfigureAwait(false)", nameof(ConfigureAwaitPitfallOrchestrator)),
        ("Task.WhenAny with a Task.Delay timeout", nameof(DelayRacePitfallOrchestrator)),
        ("Task.Delay", nameof(ThreadPoolDelayOrchestrator)),
        ("Task.Run (thread pool)", nameof(ThreadPoolTaskOrchestrator)),
        ("Thread.Sleep (blocking the orchestrator thread)", nameof(BlockingSleepPitfallOrchestrator)),
    ];

    /// <summary>How long each pitfall run is given (real time): a legal run of the same shape ends in milliseconds.</summary>
    private static readonly TimeSpan PitfallBound = TimeSpan.FromMilliseconds(500);

    [SkippableFact]
    [Criterion("DX-06", Engine = "durabletask")]
    public async Task DX06_LearningCurve()
    {
        const string Id = "DX-06";
        var edge = CriterionThresholds.Get(Id, "caught_share_edge");
        var production = CriterionThresholds.Get(Id, "caught_share_production");
        var fact = Begin();
        var ioFile = Path.Combine(Path.GetTempPath(), $"durableeval-dx06-{Guid.NewGuid():N}.txt");
        DurableCallLog? hostLog = null;
        DurableCallLog Log() => hostLog ?? throw new InvalidOperationException("no block log yet");
        void Register(DurableTaskRegistry tasks) => RegisterPitfalls(tasks, Log);
        try
        {
            await InProcessHost.RunAsync(
                fact,
                [
                    Core("catalogue-observed", $"Each of the {DurablePitfalls.Length} pitfall orchestrations ends in an observation within {PitfallBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (real time): failed by the SDK, completed, or hung with no failure, judged on a host where a legal control run completed"),
                    Edge("most-caught", $"At least {edge.Value.ToString("P0", CultureInfo.InvariantCulture)} of the pitfalls are caught by the SDK itself at run time (DurableEval's threshold)"),
                    Production("nearly-all-caught", $"At least {production.Value.ToString("P0", CultureInfo.InvariantCulture)} are caught by the SDK at run time (DurableEval's threshold)"),
                ],
                Register,
                async (block, checks) =>
                {
                    hostLog = block.Log;
                    var current = block;
                    var spares = new List<Microsoft.DurableTask.Testing.DurableTaskTestHost>();
                    var outcomes = new List<CaughtBy>();
                    var controlStalls = 0;
                    try
                    {
                        // Warm-up and control: a legal run of the same shape must complete before anything is judged.
                        var warm = await EndWithinAsync(current, await current.StartAsync(Id, nameof(ReplayStableOrchestrator), "control"), InProcessBlock.WaitBound);
                        var controlWorks = warm?.RuntimeStatus == OrchestrationRuntimeStatus.Completed;

                        // One at a time: started side by side (tried), the hung ones left the worker unable to run even a
                        // legal control, so every pitfall looked hung and none could be told apart.
                        foreach (var (pitfall, orchestrator) in DurablePitfalls)
                        {
                            var id = await current.StartAsync(Id, orchestrator, orchestrator == nameof(FileIoPitfallOrchestrator) ? ioFile : "input");
                            var end = await EndWithinAsync(current, id, PitfallBound);
                            var hung = end is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending };
                            var stalledWorker = false;
                            if (hung)
                            {
                                var control = await EndWithinAsync(current, await current.StartAsync(Id, nameof(ReplayStableOrchestrator), "control"), PitfallBound);
                                stalledWorker = control?.RuntimeStatus != OrchestrationRuntimeStatus.Completed;
                                await current.Client.TerminateInstanceAsync(id, "DurableEval: pitfall observed", current.Cancellation);
                            }

                            var values = current.Log.For(id).Where(c => c.Step == PitfallSteps.Value).Select(c => c.Detail).ToList();
                            var (outcome, how) = ClassifyPitfall(end, controlWorks, stalledWorker, values);
                            outcomes.Add(outcome);
                            fact.Finding($"Pitfall \"{pitfall}\" ({orchestrator}): caught by {outcome}; {how}");
                            if (stalledWorker)
                            {
                                // The rest of the catalogue gets a fresh host whose worker nothing holds.
                                controlStalls++;
                                var (host, log) = await InProcessHost.StartAsync(Register);
                                spares.Add(host);
                                hostLog = log;
                                current = new InProcessBlock(host, log, block.Cancellation);
                            }
                        }
                    }
                    finally
                    {
                        foreach (var spare in spares)
                        {
                            await spare.DisposeAsync();
                        }
                    }

                    fact.Metric("hosts_stalled_by_a_pitfall", controlStalls, "hosts");
                    var verdict = PitfallVerdict.Judge(outcomes, edge.Value, production.Value);
                    checks.Expect("catalogue-observed", verdict.Undetermined == 0 && verdict.Total == DurablePitfalls.Length, verdict.Describe());
                    checks.Expect("most-caught", verdict.MeetsEdge, verdict.Describe());
                    checks.Expect("nearly-all-caught", verdict.MeetsProduction, verdict.Describe());
                    fact.Metric("pitfalls_total", verdict.Total, "pitfalls");
                    fact.Metric("pitfalls_caught_at_run_time", verdict.RunTime, "pitfalls");
                    fact.Metric("pitfalls_caught_by_nothing", verdict.Nothing, "pitfalls");
                    fact.Metric("pitfalls_caught_at_run_time_share", verdict.RunTimeShare, "share");
                });
        }
        finally
        {
            if (File.Exists(ioFile))
            {
                File.Delete(ioFile);
            }
        }

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Finding("Replay compares only the name and position of each scheduled task (EX-06): a forbidden value that only changes an activity's input, a timer's length or the result is never caught. Microsoft.DurableTask.Analyzers flags several constructs at build time; it is not referenced here, so build-time catches are not measured.");
        fact.Cite("Orchestrator code must be deterministic: no DateTime.UtcNow, Guid.NewGuid or random numbers, no I/O, no Task.Run, Task.Delay or Thread.Sleep, only the context's APIs for time, GUIDs and timers.", "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-code-constraints");
        fact.Conclude();
    }

    /// <summary>The instance at its end, or as it stands when <paramref name="bound"/> runs out.</summary>
    private static async Task<OrchestrationMetadata?> EndWithinAsync(InProcessBlock block, string id, TimeSpan bound)
    {
        try
        {
            return await block.CompletionAsync(id, bound);
        }
        catch (OperationCanceledException) when (!block.Cancellation.IsCancellationRequested)
        {
            return await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation);
        }
    }

    /// <summary>
    /// What one pitfall run showed: failed (the SDK stopped it), completed (nothing caught it; the detail says whether
    /// its executions saw different values), or still running after the bound with no failure (it hung silently;
    /// the detail says whether it also held the host's worker, so that a legal control run could not complete). A run
    /// judged on a host whose legal control never completed is no observation.
    /// </summary>
    internal static (CaughtBy Outcome, string How) ClassifyPitfall(OrchestrationMetadata? end, bool controlWorks, bool stalledWorker, IReadOnlyList<string> values)
    {
        var executions = values.Count == 0 ? "" : $"; its {values.Count} execution(s) saw {values.Distinct(StringComparer.Ordinal).Count()} distinct value(s)";
        var bound = PitfallBound.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        if (!controlWorks)
        {
            return (CaughtBy.Undetermined, $"not judged: the legal control run did not complete on this host; the pitfall ended {end?.RuntimeStatus.ToString() ?? "unknown"}");
        }

        return end?.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Failed => (CaughtBy.RunTime, $"failed: {end.FailureDetails?.ErrorType}: \"{Clip(DurableEval.Tests.Servers.ServerFixture.OneLine(end.FailureDetails?.ErrorMessage ?? ""))}\"{executions}"),
            OrchestrationRuntimeStatus.Completed => (CaughtBy.Nothing, $"ran to completion with {end.SerializedOutput}{executions}"),
            OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending =>
                (CaughtBy.Nothing, $"hung silently: still {end.RuntimeStatus} after {bound} s (real time) with no failure recorded{(stalledWorker ? $", and a legal run started after it did not complete within {bound} s either (the hang held the host's worker)" : ", while a legal run started after it completed")}{executions}"),
            { } status => (CaughtBy.Undetermined, $"ended {status}{executions}"),
            null => (CaughtBy.Undetermined, "the instance is unknown to the host"),
        };

        static string Clip(string text) => text.Length <= 240 ? text : text[..237] + "...";
    }

    private static void RegisterPitfalls(DurableTaskRegistry tasks, Func<DurableCallLog> log)
    {
        // The worker creates orchestrators without its services, so the block's log is handed over by closure.
        tasks.AddOrchestrator(nameof(WallClockPitfallOrchestrator), () => new WallClockPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(NewGuidPitfallOrchestrator), () => new NewGuidPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(SystemRandomPitfallOrchestrator), () => new SystemRandomPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(StaticStatePitfallOrchestrator), () => new StaticStatePitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(FileIoPitfallOrchestrator), () => new FileIoPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(HashOrderPitfallOrchestrator), () => new HashOrderPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(ConfigureAwaitPitfallOrchestrator), () => new ConfigureAwaitPitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(DelayRacePitfallOrchestrator), () => new DelayRacePitfallOrchestrator(log()));
        tasks.AddOrchestrator(nameof(BlockingSleepPitfallOrchestrator), () => new BlockingSleepPitfallOrchestrator(log()));
        tasks.AddOrchestrator<ThreadPoolDelayOrchestrator>();
        tasks.AddOrchestrator<ThreadPoolTaskOrchestrator>();
        tasks.AddOrchestrator<ReplayStableOrchestrator>();
        tasks.AddActivity<RecordedStepActivity>();
    }
}
