using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("EX-02", Engine = "durabletask")]
    public async Task EX02_SideEffectGuarantee()
    {
        var fact = Begin();
        DurableCallLog? hostLog = null;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("results-memoized", "Across a three-step run's four executions (three of them replays, the worker keeping no orchestrator between steps) each step's activity ran exactly once: later executions took its result from history"),
                Core("replay-skips-activities", "The run's history (recorded offline through the SDK's executor: the host keeps none) replays to the recorded result with no activity available and asks for no activity to run"),
                Core("at-least-once-visible", "An activity that fails after its side effect is retried by its policy, so the raw effect happens twice and the second attempt's result reaches the orchestrator"),
                Core("dedup-key-once", "A key the orchestrator makes with context.NewGuid() (the same on every replay and retry) keeps the external effect to one while the activity still runs twice"),
                Edge("attempt-visible", "The retry is visible to the activity as its attempt number"),
            ],
            tasks =>
            {
                // The worker creates orchestrators without its services, so the block's log is handed over by closure.
                tasks.AddOrchestrator(nameof(ThreeStepOrchestrator), () => new ThreeStepOrchestrator(hostLog ?? throw new InvalidOperationException("no block log yet")));
                tasks.AddActivity<RecordedStepActivity>();
                tasks.AddOrchestrator<ChargeOrchestrator>();
                tasks.AddActivity<ChargeThenFailOnceActivity>();
            },
            async (block, checks) =>
            {
                hostLog = block.Log;
                const string input = "memo";
                var id = await block.StartAsync("EX-02", nameof(ThreeStepOrchestrator), input);
                var done = await block.CompletionAsync(id);
                var executions = block.Log.For(id).Count(c => c.Step == ThreeStepOrchestrator.Execution);
                var stepRuns = Enumerable.Range(1, 3).Select(s => block.Log.Count(id, $"{input}-{s}")).ToList();
                checks.Expect(
                    "results-memoized",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed && executions == 4 && stepRuns.All(n => n == 1),
                    $"status {done.RuntimeStatus}; {executions} executions; step activity runs [{string.Join(", ", stepRuns)}]");

                var history = OfflineHistory.Record(new ThreeStepOrchestrator(new DurableCallLog()), nameof(ThreeStepOrchestrator), null, JsonSerializer.Serialize(input), AnswerRecordedStep);
                var replay = OfflineHistory.Replay(new ThreeStepOrchestrator(new DurableCallLog()), history);
                checks.Expect(
                    "replay-skips-activities",
                    MatchesRecording(history, replay) && replay.Result == done.SerializedOutput,
                    $"replay of {OfflineHistory.ScheduledNames(history).Count} recorded steps: {replay.Describe()}; live result {done.SerializedOutput}");

                var raw = await block.StartAsync("EX-02", nameof(ChargeOrchestrator), false);
                var rawDone = await block.CompletionAsync(raw);
                var rawEffects = block.Log.Count(raw, ChargeThenFailOnceActivity.RawEffect);
                var rawCharges = block.Log.Count(raw, ChargeThenFailOnceActivity.Charged);
                checks.Expect(
                    "at-least-once-visible",
                    rawDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && rawEffects == 2 && rawCharges == 2 && rawDone.ReadOutputAs<int>() == 2,
                    $"status {rawDone.RuntimeStatus}, result {rawDone.SerializedOutput}; activity ran {rawEffects} time(s), external effect {rawCharges} time(s)");

                var keyed = await block.StartAsync("EX-02", nameof(ChargeOrchestrator), true);
                var keyedDone = await block.CompletionAsync(keyed);
                var keyedRuns = block.Log.Count(keyed, ChargeThenFailOnceActivity.RawEffect);
                var keyedCharges = block.Log.For(keyed).Where(c => c.Step == ChargeThenFailOnceActivity.Charged).ToList();
                checks.Expect(
                    "dedup-key-once",
                    keyedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && keyedRuns == 2 && keyedCharges.Count == 1 && keyedCharges[0].Detail.StartsWith(keyed, StringComparison.Ordinal),
                    $"status {keyedDone.RuntimeStatus}; activity ran {keyedRuns} time(s), external effect {keyedCharges.Count} time(s) under key {keyedCharges.FirstOrDefault()?.Detail}");

                var attemptProperties = typeof(TaskActivityContext).GetProperties().Select(p => p.Name).ToList();
                var attempt = attemptProperties.Where(n => n.Contains("Attempt", StringComparison.OrdinalIgnoreCase)).ToList();
                if (attempt.Count > 0)
                {
                    checks.NotRun("attempt-visible", $"TaskActivityContext now has {string.Join(", ", attempt)}; this fact does not read it yet");
                }
                else
                {
                    checks.Expect("attempt-visible", false, $"TaskActivityContext has no attempt number (its properties: {string.Join(", ", attemptProperties)}); an activity can tell a retry only from its own records, as this fact's activity does");
                }
            });
        fact.Conclude();
    }
}
