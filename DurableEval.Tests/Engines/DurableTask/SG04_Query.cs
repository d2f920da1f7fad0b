using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("SG-04", Engine = "durabletask")]
    public async Task SG04_Query()
    {
        var fact = Begin();
        int[] values = [4, 9];
        const int Reads = 5;
        const int GateInput = 21;
        var gate = new ActivityGate();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("query-live", "The running orchestration's state, read through its custom status (Durable Task has no query handlers), follows each event that changes it"),
                Core("query-after-completion", "After completion the instance still answers its last custom status and its output"),
                Core("query-adds-no-events", $"{Reads} status reads of the running instance add no history events (on a host without history: leave the instance's LastUpdatedAt and custom status unchanged)"),
                Edge("update-validator-rejects", "An update the validator refuses is rejected"),
                Edge("update-returns-value", "A valid update returns its value to the caller and the next query sees its effect"),
                Edge("query-answers-last-checkpoint", "A status read answers only what the orchestrator last set before yielding: while its activity is in flight (its progress logged), the status still reads the value set before the call"),
                Edge("query-missing-instance", "Reading an instance id that does not exist answers null, not a stale or invented state"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<SignalledTotalOrchestrator>();
                tasks.AddOrchestrator<GatedStepOrchestrator>();
                tasks.AddActivity<GatedActivity>();
            },
            async (block, checks) =>
            {
                var id = await block.StartAsync("SG-04", nameof(SignalledTotalOrchestrator), values.Sum());
                await block.StartedAsync(id);
                var totals = new List<int?>();
                var running = 0;
                for (var i = 0; i < values.Length; i++)
                {
                    var expected = values.Take(i + 1).Sum();
                    await block.Client.RaiseEventAsync(id, SignalledTotalOrchestrator.AddEvent, values[i], block.Cancellation);
                    var read = await block.StatusAsync(id, m => m.ReadCustomStatusAs<ConditionOutcome>()?.Total == expected || m.RuntimeStatus != OrchestrationRuntimeStatus.Running);
                    totals.Add(read?.ReadCustomStatusAs<ConditionOutcome>()?.Total);
                    running += read?.RuntimeStatus == OrchestrationRuntimeStatus.Running && i < values.Length - 1 ? 1 : 0;
                }

                var expectedTotals = values.Select((_, i) => (int?)values.Take(i + 1).Sum()).ToList();
                checks.Expect(
                    "query-live",
                    totals.SequenceEqual(expectedTotals) && running == values.Length - 1,
                    $"status totals after each event [{string.Join(", ", totals)}] (expected [{string.Join(", ", expectedTotals)}]); read while running {running} time(s)");

                var done = await block.CompletionAsync(id);
                var last = await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation);
                checks.Expect(
                    "query-after-completion",
                    last?.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                        && last.ReadCustomStatusAs<ConditionOutcome>()?.Total == values.Sum()
                        && last.ReadOutputAs<ConditionOutcome>()?.Total == values.Sum(),
                    $"completed instance: status {last?.RuntimeStatus}, custom status total {last?.ReadCustomStatusAs<ConditionOutcome>()?.Total}, output total {last?.ReadOutputAs<ConditionOutcome>()?.Total} (expected {values.Sum()}); wait ended {done.RuntimeStatus}");

                var gated = await block.StartAsync("SG-04", nameof(GatedStepOrchestrator), GateInput);
                await Evidence.Eventually.HoldsAsync(() => Task.FromResult(block.Log.Count(gated, "entered") == 1), InProcessBlock.WaitBound, block.Cancellation);
                var before = await block.Client.GetInstanceAsync(gated, getInputsAndOutputs: true, block.Cancellation);
                var historyBefore = await block.HistoryAsync(gated);
                for (var i = 0; i < Reads; i++)
                {
                    await block.Client.GetInstanceAsync(gated, getInputsAndOutputs: true, block.Cancellation);
                }

                var historyAfter = await block.HistoryAsync(gated);
                var inFlight = await block.Client.GetInstanceAsync(gated, getInputsAndOutputs: true, block.Cancellation);
                gate.Open();
                var gatedDone = await block.CompletionAsync(gated);
                checks.Expect(
                    "query-answers-last-checkpoint",
                    inFlight?.ReadCustomStatusAs<string>() == GatedStepOrchestrator.Before
                        && inFlight.RuntimeStatus == OrchestrationRuntimeStatus.Running
                        && gatedDone.ReadCustomStatusAs<string>() == $"after-gated:{GateInput * 2}",
                    $"with the activity in flight (logged 'entered') the status read '{inFlight?.ReadCustomStatusAs<string>()}' ({inFlight?.RuntimeStatus}); after it returned '{gatedDone.ReadCustomStatusAs<string>()}': a read cannot compute anything or see progress the orchestrator has not set");
                if (historyBefore.Count == 0 && historyAfter.Count == 0)
                {
                    checks.Expect(
                        "query-adds-no-events",
                        before is not null && inFlight is not null && before.LastUpdatedAt == inFlight.LastUpdatedAt && before.SerializedCustomStatus == inFlight.SerializedCustomStatus,
                        $"{InProcessBlock.NoHistory}, so the instance record stands in: across {Reads} reads LastUpdatedAt went {before?.LastUpdatedAt:O} -> {inFlight?.LastUpdatedAt:O}, custom status {before?.SerializedCustomStatus} -> {inFlight?.SerializedCustomStatus}");
                }
                else
                {
                    checks.Expect("query-adds-no-events", historyAfter.Count == historyBefore.Count, $"history events before {Reads} reads {historyBefore.Count}, after {historyAfter.Count}");
                }

                const string NoUpdate = "Durable Task orchestrations have no update (a validated, synchronous call that returns a value): a client can only raise a fire-and-forget event and poll the custom status";
                checks.NotRun("update-validator-rejects", NoUpdate);
                checks.NotRun("update-returns-value", NoUpdate);

                var missing = await block.Client.GetInstanceAsync(InProcessBlock.NewId("SG-04-missing"), block.Cancellation);
                checks.Expect("query-missing-instance", missing is null, $"reading a missing id answered {(missing is null ? "null" : $"an instance with status {missing.RuntimeStatus}")}");
            },
            services => services.AddSingleton(gate));
        fact.Conclude();
    }
}
