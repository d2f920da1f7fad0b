using System.Globalization;
using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using P = Microsoft.DurableTask.Protobuf;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    private const int DeterminismTimerMs = 300;

    /// <summary>How long a forbidden construct's run is given to end (real time): a legal run of the same shape ends in milliseconds.</summary>
    private static readonly TimeSpan ForbiddenRunBound = TimeSpan.FromSeconds(1);

    private static readonly string[] DeterminismPoints = ["start", "after-step", "after-timer"];

    [SkippableFact]
    [Criterion("EX-05", Engine = "durabletask")]
    public async Task EX05_DeterminismConstraints()
    {
        var fact = Begin();
        fact.Finding(RandomApiFinding());
        DurableCallLog? hostLog = null;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("deterministic-apis-replay", "context.CurrentUtcDateTime and context.NewGuid give every replay the values the first execution saw, at each of three points (the context has no random API: NewGuid is its deterministic source)"),
                Core("live-history-replays", "The run's history (recorded offline through the SDK's executor: the host keeps none) replays with the same code to the same times and GUIDs"),
                Edge("delay-is-durable-timer", $"context.CreateTimer({DeterminismTimerMs} ms, real time) moves CurrentUtcDateTime by at least its duration and is recorded as one TimerCreated event due at that time"),
                Core("thread-pool-task-detected", $"An orchestrator awaiting Task.Run is failed instead of being silently accepted (given {ForbiddenRunBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, real time)"),
                Edge("thread-pool-delay-detected", $"An orchestrator sleeping with Task.Delay is failed too (given {ForbiddenRunBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, real time)"),
                Edge("analyzer-flags-construct", "Microsoft.DurableTask.Analyzers flags the forbidden constructs at build time"),
            ],
            tasks =>
            {
                // The worker creates orchestrators without its services, so the block's log is handed over by closure.
                tasks.AddOrchestrator(nameof(DeterministicApisOrchestrator), () => new DeterministicApisOrchestrator(hostLog ?? throw new InvalidOperationException("no block log yet")));
                tasks.AddOrchestrator<ThreadPoolTaskOrchestrator>();
                tasks.AddOrchestrator<ThreadPoolDelayOrchestrator>();
                tasks.AddActivity<RecordedStepActivity>();
            },
            async (block, checks) =>
            {
                hostLog = block.Log;
                var id = await block.StartAsync("EX-05", nameof(DeterministicApisOrchestrator), DeterminismTimerMs);
                var done = await block.CompletionAsync(id);
                var seen = DeterminismPoints.ToDictionary(p => p, p => block.Log.For(id).Where(c => c.Step == p).Select(c => c.Detail).ToList());
                var firstValues = DeterminismPoints.Select(p => seen[p].FirstOrDefault() ?? "").ToList();
                var agreeing = DeterminismPoints.All(p => seen[p].Count > 0 && seen[p].Distinct().Count() == 1);
                checks.Expect(
                    "deterministic-apis-replay",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && agreeing && seen["start"].Count >= 3 && seen["after-step"].Count >= 2
                        && done.ReadOutputAs<string>() == string.Join(";", firstValues),
                    $"status {done.RuntimeStatus}; {string.Join("; ", DeterminismPoints.Select(p => $"{p}: {seen[p].Count} execution(s), {seen[p].Distinct().Count()} distinct value(s)"))}; output {(done.ReadOutputAs<string>() == string.Join(";", firstValues) ? "equals" : "differs from")} the first execution's values");

                var stepTime = ParseTime(firstValues[1]);
                var timerTime = ParseTime(firstValues[2]);
                var recorded = OfflineHistory.Record(new DeterministicApisOrchestrator(new DurableCallLog()), nameof(DeterministicApisOrchestrator), null, JsonSerializer.Serialize(DeterminismTimerMs), AnswerRecordedStep);
                var timers = recorded.Where(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.TimerCreated).ToList();
                var recordedValues = OfflineHistory.RecordedEnd(recorded).Result is { } r ? JsonSerializer.Deserialize<string>(r)!.Split(';') : [];
                var dueAsAsked = timers.Count == 1 && recordedValues.Length == 3
                    && timers[0].TimerCreated.FireAt.ToDateTime() == ParseTime(recordedValues[1])?.UtcDateTime.AddMilliseconds(DeterminismTimerMs);
                checks.Expect(
                    "delay-is-durable-timer",
                    stepTime is { } s && timerTime is { } t && (t - s).TotalMilliseconds >= DeterminismTimerMs && dueAsAsked,
                    $"CurrentUtcDateTime moved {(timerTime - stepTime)?.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) ?? "?"} ms across the {DeterminismTimerMs} ms timer (real time); recorded history holds {timers.Count} TimerCreated event(s){(dueAsAsked ? $" due {DeterminismTimerMs} ms after the step" : "")}");

                var replay = OfflineHistory.Replay(new DeterministicApisOrchestrator(new DurableCallLog()), recorded);
                checks.Expect("live-history-replays", MatchesRecording(recorded, replay), $"{recorded.Count} events; replay {replay.Describe()}; recorded {OfflineHistory.RecordedEnd(recorded).Result}");

                // Both started before either is awaited, so their bounds run side by side.
                var taskRun = await block.StartAsync("EX-05", nameof(ThreadPoolTaskOrchestrator), "input");
                var taskDelay = await block.StartAsync("EX-05", nameof(ThreadPoolDelayOrchestrator), "input");
                await ExpectForbiddenDetectedAsync(block, checks, "thread-pool-task-detected", taskRun);
                await ExpectForbiddenDetectedAsync(block, checks, "thread-pool-delay-detected", taskDelay);

                checks.NotRun("analyzer-flags-construct", "not attempted: Microsoft.DurableTask.Analyzers 1.28.0 exists on NuGet but the project does not reference it and it is not in the offline package cache; running it needs that package and a Roslyn compilation of the orchestrators");
            });
        fact.Conclude();
    }

    /// <summary>Runs an orchestrator that breaks a constraint and passes only if the run is failed within the bound; a run that completes or hangs is the finding.</summary>
    private static async Task ExpectForbiddenDetectedAsync(InProcessBlock block, Evidence.CheckScope checks, string check, string id)
    {
        OrchestrationMetadata? end;
        try
        {
            end = await block.CompletionAsync(id, ForbiddenRunBound);
        }
        catch (OperationCanceledException) when (!block.Cancellation.IsCancellationRequested)
        {
            end = await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation);
        }

        var steps = block.Log.For(id).Count;
        checks.Expect(
            check,
            end?.RuntimeStatus == OrchestrationRuntimeStatus.Failed,
            end?.RuntimeStatus switch
            {
                OrchestrationRuntimeStatus.Failed => $"failed: {end.FailureDetails?.ErrorType}: {end.FailureDetails?.ErrorMessage}",
                OrchestrationRuntimeStatus.Completed => $"silently accepted: completed with {end.SerializedOutput}, {steps} step(s) ran",
                { } status => $"not detected: still {status} after {ForbiddenRunBound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (real time) with no failure recorded, {steps} step(s) ran",
                null => "the instance is unknown to the host",
            });
    }

    private static DateTimeOffset? ParseTime(string value) =>
        DateTimeOffset.TryParse(value.Split('|')[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Whether the orchestration context offers a random-number API, read from the context type the worker runs.</summary>
    private static string RandomApiFinding()
    {
        var random = typeof(TaskOrchestrationContext).GetMethods().Select(m => m.Name).Where(n => n.Contains("Random", StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        return random.Count > 0
            ? $"Durable Task's orchestration context has a random API ({string.Join(", ", random)})"
            : "Durable Task's orchestration context has no random API: deterministic randomness has to be derived from context.NewGuid()";
    }
}
