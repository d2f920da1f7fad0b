using System.Diagnostics;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("SG-02", Engine = "durabletask")]
    public async Task SG02_WaitAwaitables()
    {
        var fact = Begin();
        const int Target = 10;
        const int WaitMs = 800;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("condition-resumes-on-signal", $"A wait on an arbitrary condition (a signalled total reaching {Target}) stays blocked while events leave it false and resumes on the event that makes it true"),
                Core("timeout-returns-false", $"A {WaitMs} ms wait with no approval ends by its timeout no earlier than {WaitMs} ms (real time: Durable Task cannot skip time)"),
                Core("approval-before-timeout", "An approval raised during a 10 s wait ends the wait with the event and its payload, long before the timeout"),
                Core("first-of-several", $"Task.WhenAny over a durable timer and an event returns whichever finishes first: the event when it comes first, the {WaitMs} ms timer otherwise"),
                Edge("loser-cancelled", "When the event wins, the losing 3 s timer is cancelled and the orchestration completes within 2 s, before the timer would have fired"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<SignalledTotalOrchestrator>();
                tasks.AddOrchestrator<ApprovalWaitOrchestrator>();
                tasks.AddOrchestrator<FirstOfSeveralOrchestrator>();
            },
            async (block, checks) =>
            {
                var total = await block.StartAsync("SG-02", nameof(SignalledTotalOrchestrator), Target);
                await block.StartedAsync(total);
                foreach (var value in new[] { 3, 4 })
                {
                    await block.Client.RaiseEventAsync(total, SignalledTotalOrchestrator.AddEvent, value, block.Cancellation);
                }

                var midway = await block.StatusAsync(total, m => m.ReadCustomStatusAs<ConditionOutcome>()?.Total == 7);
                var blocked = midway?.RuntimeStatus == OrchestrationRuntimeStatus.Running;
                await block.Client.RaiseEventAsync(total, SignalledTotalOrchestrator.AddEvent, 3, block.Cancellation);
                var resumed = await block.CompletionAsync(total);
                var outcome = resumed.ReadOutputAs<ConditionOutcome>();
                checks.Expect(
                    "condition-resumes-on-signal",
                    blocked && resumed.RuntimeStatus == OrchestrationRuntimeStatus.Completed && outcome?.Total == Target && outcome.Seen.SequenceEqual([3, 4, 3]),
                    $"at total 7 the run was {midway?.RuntimeStatus}; after the third event {resumed.RuntimeStatus} with total {outcome?.Total} from [{string.Join(", ", outcome?.Seen ?? [])}]");

                var clock = Stopwatch.StartNew();
                var timeout = await block.StartAsync("SG-02", nameof(ApprovalWaitOrchestrator), WaitMs);
                var timedOut = await block.CompletionAsync(timeout);
                var waited = clock.ElapsedMilliseconds;
                var timedOutcome = timedOut.ReadOutputAs<ApprovalOutcome>();
                checks.Expect(
                    "timeout-returns-false",
                    timedOutcome is { Approved: false, EndedBy: "timeout" } && waited >= WaitMs,
                    $"ended by {timedOutcome?.EndedBy} after {waited} ms of wall time (real time), approved {timedOutcome?.Approved}");

                clock.Restart();
                var approval = await block.StartAsync("SG-02", nameof(ApprovalWaitOrchestrator), 10_000);
                await block.StartedAsync(approval);
                await block.Client.RaiseEventAsync(approval, ApprovalWaitOrchestrator.ApproveEvent, "reviewer-7", block.Cancellation);
                var approved = await block.CompletionAsync(approval);
                var approvedOutcome = approved.ReadOutputAs<ApprovalOutcome>();
                checks.Expect(
                    "approval-before-timeout",
                    approvedOutcome is { Approved: true, Reviewer: "reviewer-7", EndedBy: "event" } && clock.ElapsedMilliseconds < 10_000,
                    $"ended by {approvedOutcome?.EndedBy} with reviewer {approvedOutcome?.Reviewer} after {clock.ElapsedMilliseconds} ms");

                clock.Restart();
                var eventFirst = await block.StartAsync("SG-02", nameof(FirstOfSeveralOrchestrator), 3_000);
                await block.StartedAsync(eventFirst);
                await block.Client.RaiseEventAsync(eventFirst, FirstOfSeveralOrchestrator.GoEvent, "now", block.Cancellation);
                var eventWon = await block.CompletionAsync(eventFirst);
                var eventMs = clock.ElapsedMilliseconds;
                var timerFirst = await block.StartAsync("SG-02", nameof(FirstOfSeveralOrchestrator), WaitMs);
                var timerWon = await block.CompletionAsync(timerFirst);
                checks.Expect(
                    "first-of-several",
                    eventWon.ReadOutputAs<string>() == "event" && timerWon.ReadOutputAs<string>() == "timer",
                    $"event raised first: {eventWon.ReadOutputAs<string>()}; no event: {timerWon.ReadOutputAs<string>()} (real-time {WaitMs} ms timer)");
                checks.Expect(
                    "loser-cancelled",
                    eventWon.RuntimeStatus == OrchestrationRuntimeStatus.Completed && eventMs < 2_000,
                    $"with the event first the run ended {eventWon.RuntimeStatus} after {eventMs} ms, its 3 s timer (real time) cancelled");
            });
        fact.Conclude();
    }
}
