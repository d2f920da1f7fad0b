using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("SG-01", Engine = "durabletask")]
    public async Task SG01_ExternalSignals()
    {
        var fact = Begin();
        int[] changes = [2, 5];
        int[] sequence = [1, 2, 3, 4, 5, 6, 7, 8];
        await InProcessHost.RunAsync(
            fact,
            [
                Core("signals-change-state", $"{changes.Length} external events raise the orchestration's total (read through its custom status) to {changes.Sum()} while it keeps running"),
                Core("signal-payload-delivered", "Each event reaches the orchestration with the number it was raised with"),
                Core("signals-in-order", $"{sequence.Length} numbered events raised back to back are seen in the order they were raised"),
                SignalChecks.BufferedBeforeWait,
                Core("signal-while-no-worker", "An event raised while no worker runs is stored and delivered once a worker starts"),
                Core("signal-with-start-new", "Durable Task has no signal-with-start; its pattern, a start followed at once by RaiseEventAsync (two calls, not atomic), delivers every event to the new run before it first waits"),
                Edge("signal-missing-workflow", "An event raised to an instance id that does not exist is refused with an error"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<SignalledTotalOrchestrator>();
                tasks.AddOrchestrator<OutOfOrderEventsOrchestrator>();
            },
            async (block, checks) =>
            {
                var target = changes.Sum() + 100;
                var total = await block.StartAsync("SG-01", nameof(SignalledTotalOrchestrator), target);
                await block.StartedAsync(total);
                foreach (var value in changes)
                {
                    await block.Client.RaiseEventAsync(total, SignalledTotalOrchestrator.AddEvent, value, block.Cancellation);
                }

                var changed = await block.StatusAsync(total, m => m.ReadCustomStatusAs<ConditionOutcome>()?.Total == changes.Sum());
                var state = changed?.ReadCustomStatusAs<ConditionOutcome>();
                checks.Expect(
                    "signals-change-state",
                    changed?.RuntimeStatus == OrchestrationRuntimeStatus.Running && state?.Total == changes.Sum(),
                    $"after {changes.Length} events the custom status total is {state?.Total} (expected {changes.Sum()}), status {changed?.RuntimeStatus}");
                checks.Expect(
                    "signal-payload-delivered",
                    state is not null && state.Seen.SequenceEqual(changes),
                    $"the orchestration saw [{string.Join(", ", state?.Seen ?? [])}] for events raised with [{string.Join(", ", changes)}]");
                await block.Client.TerminateInstanceAsync(total, "done", block.Cancellation);

                var ordered = await block.StartAsync("SG-01", nameof(SignalledTotalOrchestrator), sequence.Sum());
                foreach (var value in sequence)
                {
                    await block.Client.RaiseEventAsync(ordered, SignalledTotalOrchestrator.AddEvent, value, block.Cancellation);
                }

                var orderedDone = await block.CompletionAsync(ordered);
                var seen = orderedDone.ReadOutputAs<ConditionOutcome>()?.Seen ?? [];
                checks.Expect(
                    "signals-in-order",
                    orderedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && seen.SequenceEqual(sequence),
                    $"raised [{string.Join(", ", sequence)}] right after the start; seen [{string.Join(", ", seen)}], status {orderedDone.RuntimeStatus}");
                checks.Expect(
                    "signal-with-start-new",
                    orderedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && seen.Count == sequence.Length,
                    $"no signal-with-start API: ScheduleNewOrchestrationInstanceAsync then {sequence.Length} RaiseEventAsync calls (not atomic: a crash between them leaves a run without its event); {seen.Count} of {sequence.Length} events reached the run");

                await SignalChecks.BufferedBeforeWaitAsync(block, checks, nameof(OutOfOrderEventsOrchestrator));

                var worker = InProcessWorker.Find(block);
                if (worker is null)
                {
                    checks.NotRun("signal-while-no-worker", "the in-process test host's services hold no DurableTaskWorker to stop, so no event can be raised while no worker runs");
                }
                else
                {
                    var parked = await block.StartAsync("SG-01", nameof(SignalledTotalOrchestrator), 5);
                    await block.StartedAsync(parked);
                    OrchestrationMetadata? whileStopped = null;
                    await InProcessWorker.WhileStoppedAsync(worker, block.Cancellation, async () =>
                    {
                        await block.Client.RaiseEventAsync(parked, SignalledTotalOrchestrator.AddEvent, 5, block.Cancellation);
                        await Task.Delay(300, block.Cancellation);
                        whileStopped = await block.Client.GetInstanceAsync(parked, getInputsAndOutputs: true, block.Cancellation);
                    });
                    var delivered = await block.CompletionAsync(parked);
                    checks.Expect(
                        "signal-while-no-worker",
                        whileStopped?.RuntimeStatus == OrchestrationRuntimeStatus.Running
                            && whileStopped.ReadCustomStatusAs<ConditionOutcome>()?.Total == 0
                            && delivered.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                            && delivered.ReadOutputAs<ConditionOutcome>()?.Seen.SequenceEqual([5]) == true,
                        $"raised with the worker stopped: 300 ms later (real time) the run was {whileStopped?.RuntimeStatus} with total {whileStopped?.ReadCustomStatusAs<ConditionOutcome>()?.Total}; after the worker restarted it ended {delivered.RuntimeStatus} having seen [{string.Join(", ", delivered.ReadOutputAs<ConditionOutcome>()?.Seen ?? [])}]");
                }

                var missing = InProcessBlock.NewId("SG-01-missing");
                var refused = await FailureOfAsync(() => block.Client.RaiseEventAsync(missing, SignalledTotalOrchestrator.AddEvent, 1, block.Cancellation));
                var created = await block.Client.GetInstanceAsync(missing, block.Cancellation);
                checks.Expect(
                    "signal-missing-workflow",
                    refused is not null,
                    $"raising to a missing id: {Evidence.Observe.Describe(refused)}; instance afterwards: {(created is null ? "none" : created.RuntimeStatus.ToString())} (this host drops it without an error and then logs ArgumentException for the orphan work item until it is disposed; the SDK documents that an event to a missing orchestration is silently dropped (TaskOrchestrationContext.SendEvent), while the Functions host was seen throwing RpcException (durabletask-dotnet#350))");
            });
        fact.Conclude();
    }
}

/// <summary>SG-01's buffered-event check, written once so a self-test can drive it against a broken orchestration.</summary>
internal static class SignalChecks
{
    public static readonly CheckSpec BufferedBeforeWait = Core("signal-buffered-before-wait", "An event raised while the orchestration waits for a different one is kept and delivered when it later waits for it");

    public static async Task BufferedBeforeWaitAsync(InProcessBlock block, CheckScope checks, string orchestrator)
    {
        var id = await block.StartAsync("SG-01", orchestrator, "x");
        var waiting = await block.StatusAsync(id, m => m.ReadCustomStatusAs<string>() == OutOfOrderEventsOrchestrator.WaitingSecond);
        await block.Client.RaiseEventAsync(id, OutOfOrderEventsOrchestrator.FirstEvent, "early", block.Cancellation);
        await block.Client.RaiseEventAsync(id, OutOfOrderEventsOrchestrator.SecondEvent, "late", block.Cancellation);
        var done = await block.CompletionAsync(id);
        checks.Expect(
            BufferedBeforeWait.Id,
            waiting?.ReadCustomStatusAs<string>() == OutOfOrderEventsOrchestrator.WaitingSecond && done.ReadOutputAs<string>() == "early|late",
            $"'first' raised while the run was '{waiting?.ReadCustomStatusAs<string>()}'; the run returned '{done.ReadOutputAs<string>()}' (expected 'early|late'), status {done.RuntimeStatus}");
    }
}
