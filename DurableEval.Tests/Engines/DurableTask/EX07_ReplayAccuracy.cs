using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    private static readonly string[] ReplayInputs = ["alpha", "beta", "gamma"];

    [SkippableFact]
    [Criterion("EX-07", Engine = "durabletask")]
    public async Task EX07_ReplayAccuracy()
    {
        var fact = Begin();
        string? liveOutput = null;
        string? liveStatus = null;
        DurableCallLog? hostLog = null;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("replay-runs-no-activity", "A three-step orchestration executes four times on the host (first run plus one replay per completed step; the worker keeps no orchestrator in memory between episodes), every execution after the first replays, and each step's activity still ran exactly once"),
                // Production, not core: the run above is already replayed from its live history at every step by the
                // worker; what this adds is exporting that history from the backend, which the in-process host cannot do.
                Production("live-histories-replay", "The completed run's own history, exported from the backend, replays with unchanged code"),
            ],
            tasks =>
            {
                // The worker creates orchestrators without its services, so the block's log is handed over by closure.
                tasks.AddOrchestrator(nameof(ThreeStepOrchestrator), () => new ThreeStepOrchestrator(hostLog ?? throw new InvalidOperationException("no block log yet")));
                tasks.AddActivity<RecordedStepActivity>();
            },
            async (block, checks) =>
            {
                hostLog = block.Log;
                var id = await block.StartAsync("EX-07", nameof(ThreeStepOrchestrator), ReplayInputs[0]);
                var done = await block.CompletionAsync(id);
                liveOutput = done.SerializedOutput;
                liveStatus = done.SerializedCustomStatus;
                var executions = block.Log.For(id).Where(c => c.Step == ThreeStepOrchestrator.Execution).Select(c => c.Detail).ToList();
                var stepRuns = Enumerable.Range(1, 3).Select(s => block.Log.Count(id, $"{ReplayInputs[0]}-{s}")).ToList();
                checks.Expect(
                    "replay-runs-no-activity",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                        && executions.SequenceEqual(["fresh", "replaying", "replaying", "replaying"])
                        && stepRuns.All(n => n == 1),
                    $"status {done.RuntimeStatus}{(done.FailureDetails is null ? "" : $" ({done.FailureDetails.ErrorType}: {done.FailureDetails.ErrorMessage})")}; executions [{string.Join(", ", executions)}]; step activity runs [{string.Join(", ", stepRuns)}]");

                var history = await block.HistoryAsync(id);
                if (history.Count == 0)
                {
                    checks.NotRun("live-histories-replay", InProcessBlock.NoHistory);
                }
                else
                {
                    checks.Expect("live-histories-replay", false, $"the host returned {history.Count} events; this fact has no converter from DurableTask.Core events to a replay yet");
                }
            });

        await fact.OfflineAsync(
            [
                Core("recorded-histories-replay", $"Histories of {ReplayInputs.Length} runs, recorded through the SDK's own executor (GrpcOrchestrationRunner), replay with unchanged code to the recorded result and ask for no new work"),
                Core("uncached-matches-cached", "An offline replay of a run's whole history (nothing kept in memory) gives the same result and custom status (Durable Task's query answer) as the live run on the host"),
                Edge("json-round-trip", "A history exported to JSON and read back keeps every event unchanged and still replays to the recorded result"),
            ],
            checks =>
            {
                var histories = ReplayInputs.Select(input => (input, history: OfflineHistory.Record(
                    new ThreeStepOrchestrator(new DurableCallLog()), nameof(ThreeStepOrchestrator), null, JsonSerializer.Serialize(input), AnswerRecordedStep))).ToList();
                var replays = histories.Select(h => (h.input, h.history, replay: OfflineHistory.Replay(new ThreeStepOrchestrator(new DurableCallLog()), h.history))).ToList();
                var mismatched = replays.Where(r => !MatchesRecording(r.history, r.replay)).Select(r => $"{r.input}: {r.replay.Describe()} (recorded {OfflineHistory.RecordedEnd(r.history).Result})").ToList();
                checks.Expect(
                    "recorded-histories-replay",
                    mismatched.Count == 0 && replays.All(r => OfflineHistory.ScheduledNames(r.history).Count == 3),
                    mismatched.Count == 0
                        ? $"{replays.Count} histories ({string.Join(", ", replays.Select(r => $"{r.input}: {r.history.Count} events"))}) replayed to their recorded results"
                        : $"replays that differ from their recording: {string.Join("; ", mismatched)}");

                var first = replays[0].replay;
                checks.Expect(
                    "uncached-matches-cached",
                    liveOutput is not null && first.Completed && first.Result == liveOutput && first.CustomStatus == liveStatus,
                    $"live result {liveOutput ?? "(no live run)"}, status {liveStatus}; offline replay {first.Describe()}, status {first.CustomStatus}");

                var json = OfflineHistory.ToJson(histories[0].history);
                var back = OfflineHistory.FromJson(json);
                var roundTripReplay = OfflineHistory.Replay(new ThreeStepOrchestrator(new DurableCallLog()), back);
                checks.Expect(
                    "json-round-trip",
                    back.SequenceEqual(histories[0].history) && MatchesRecording(back, roundTripReplay),
                    $"{histories[0].history.Count} events written as {json.Length} characters of JSON, {back.Count} read back ({(back.SequenceEqual(histories[0].history) ? "identical" : "different")}); replay {roundTripReplay.Describe()}");
                return Task.CompletedTask;
            });
        fact.Conclude();
    }

    /// <summary>RecordedStepActivity's answer ("done:" + its input), serialized as the worker would have returned it.</summary>
    internal static string AnswerRecordedStep(string name, string? input) => JsonSerializer.Serialize($"done:{ActivityInput(input)}");

    /// <summary>An activity's string input as recorded: the worker sends it as a one-element JSON array (DTFx's parameter list).</summary>
    internal static string ActivityInput(string? recorded)
    {
        if (recorded is null)
        {
            return "";
        }

        using var json = JsonDocument.Parse(recorded);
        var value = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement[0] : json.RootElement;
        return value.GetString() ?? "";
    }

    /// <summary>A replay matches its recording when it completes with the recorded output and asks for no new work.</summary>
    internal static bool MatchesRecording(IReadOnlyList<Microsoft.DurableTask.Protobuf.HistoryEvent> history, ReplayOutcome replay)
    {
        var (completed, result) = OfflineHistory.RecordedEnd(history);
        return replay.Completed == completed && replay.Result == result && replay.NewCommands.Count == 0;
    }
}
