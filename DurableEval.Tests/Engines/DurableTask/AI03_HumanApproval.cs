using System.Diagnostics;
using System.Globalization;
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
    [Criterion("AI-03", Engine = "durabletask")]
    public async Task AI03_HumanApproval()
    {
        // Real time throughout (the host cannot skip time): decisions come within a 10 s window, the lapsing window is 0.8 s.
        const int DecisionWindowMs = 10_000;
        const int LapseWindowMs = 800;
        var days = TimeSpan.FromDays(3);
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("event-approve", $"Approved by the 'decide' event while waiting: the run completes 'approved' by the reviewer the event named, inside its {DecisionWindowMs / 1000} s window, and its deadline timer is cancelled"),
                Core("event-reject", "Rejected by the 'decide' event: the run completes 'rejected' by that reviewer"),
                Core("timeout-path", $"No decision: the run completes 'timed-out' after its {LapseWindowMs} ms window in orchestration time (no earlier, at most {TimerWake.Tolerance.TotalSeconds:0} s later) and no earlier in wall time (real time)"),
                Core("invalid-decision-ignored", "A decision without a reviewer is ignored by the orchestration's own check: the run is still waiting (status counts 1 ignored) and a valid approval then completes it"),
                Edge("validator-rejects", "The caller of a decision without a reviewer is told it was refused (as a validated update refuses it)"),
                Edge("days-window-skipped", $"A {days.TotalDays:0}-day approval window lapses in seconds of wall time (time skipping)"),
                Edge("late-decision-ignored", "A decision raised after the window lapsed changes nothing: the run stays 'timed-out'"),
            ],
            tasks => tasks.AddOrchestrator<HumanApprovalOrchestrator>(),
            async (block, checks) =>
            {
                async Task<string> StartWaitingAsync(int windowMs)
                {
                    var id = await block.StartAsync("AI-03", nameof(HumanApprovalOrchestrator), new HumanApprovalRequest("refund order A-17", windowMs));
                    await block.StatusAsync(id, m => m.ReadCustomStatusAs<HumanApprovalStatus>()?.Waiting == true);
                    return id;
                }

                Task DecideAsync(string id, HumanDecision decision) =>
                    block.Client.RaiseEventAsync(id, HumanApprovalOrchestrator.DecideEvent, decision, block.Cancellation);

                var reviewer = $"bob-{Guid.NewGuid():N}"[..12];
                var approving = await StartWaitingAsync(DecisionWindowMs);
                var clock = Stopwatch.StartNew();
                await DecideAsync(approving, new HumanDecision(true, reviewer));
                var approved = await block.CompletionAsync(approving);
                var approvedWall = clock.ElapsedMilliseconds;
                var a = approved.ReadOutputAs<HumanApprovalResult>();
                checks.Expect(
                    "event-approve",
                    approved.RuntimeStatus == OrchestrationRuntimeStatus.Completed && a is { Outcome: "approved", Ignored: 0 } && a.Reviewer == reviewer
                        && a.WaitedMs < DecisionWindowMs && approvedWall < DecisionWindowMs,
                    $"{approved.RuntimeStatus}: {a?.Outcome} by {a?.Reviewer ?? "nobody"} (sent {reviewer}) after {Ms(a?.WaitedMs)} ms of orchestration time; completed {approvedWall} ms after the event, before the {DecisionWindowMs} ms deadline (cancelled)");

                var rejecting = await StartWaitingAsync(DecisionWindowMs);
                await DecideAsync(rejecting, new HumanDecision(false, "carol"));
                var rejected = await block.CompletionAsync(rejecting);
                var r = rejected.ReadOutputAs<HumanApprovalResult>();
                checks.Expect(
                    "event-reject",
                    rejected.RuntimeStatus == OrchestrationRuntimeStatus.Completed && r is { Outcome: "rejected", Reviewer: "carol" } && r.WaitedMs < DecisionWindowMs,
                    $"{rejected.RuntimeStatus}: {r?.Outcome} by {r?.Reviewer ?? "nobody"} after {Ms(r?.WaitedMs)} ms of orchestration time");

                var validating = await StartWaitingAsync(DecisionWindowMs);
                var refused = await Observe.FailureOfAsync(() => DecideAsync(validating, new HumanDecision(true, " ")));
                var afterInvalid = await block.StatusAsync(validating, m => m.ReadCustomStatusAs<HumanApprovalStatus>()?.Ignored >= 1);
                var stillWaiting = afterInvalid is { RuntimeStatus: OrchestrationRuntimeStatus.Running } && afterInvalid.ReadCustomStatusAs<HumanApprovalStatus>() is { Waiting: true, Ignored: 1 };
                await DecideAsync(validating, new HumanDecision(true, "alice"));
                var validated = await block.CompletionAsync(validating);
                var v = validated.ReadOutputAs<HumanApprovalResult>();
                checks.Expect(
                    "invalid-decision-ignored",
                    stillWaiting && v is { Outcome: "approved", Reviewer: "alice", Ignored: 1 },
                    $"after the decision without reviewer: {afterInvalid?.RuntimeStatus}, status {afterInvalid?.SerializedCustomStatus}; then {v?.Outcome} by {v?.Reviewer ?? "nobody"}, {v?.Ignored} ignored");
                checks.Expect(
                    "validator-rejects",
                    refused is not null,
                    refused is null
                        ? "RaiseEventAsync returned normally for the decision without a reviewer: Durable Task has no validated update, so only the orchestration can ignore it and the caller is never told"
                        : $"the caller saw {Observe.DescribeChain(refused)}");

                // Started first and left waiting while the lapsing window runs: the longer its 3-day timer has had, the stronger the finding.
                var daysLong = await StartWaitingAsync((int)days.TotalMilliseconds);
                var daysClock = Stopwatch.StartNew();

                clock.Restart();
                var lapsing = await StartWaitingAsync(LapseWindowMs);
                var lapsed = await block.CompletionAsync(lapsing);
                var wall = clock.ElapsedMilliseconds;
                var l = lapsed.ReadOutputAs<HumanApprovalResult>();
                var waited = TimeSpan.FromMilliseconds(l?.WaitedMs ?? 0);
                var window = TimeSpan.FromMilliseconds(LapseWindowMs);
                fact.Metric("timeout_wait_wall_ms", wall, "ms");
                checks.Expect(
                    "timeout-path",
                    l is { Outcome: "timed-out", Reviewer: null } && TimerWake.OnTime(waited, window) && wall >= LapseWindowMs,
                    $"{l?.Outcome} after {Ms(l?.WaitedMs)} ms of orchestration time ({TimerWake.Describe(waited, window)}) in {wall} ms of wall time (real time)");

                await DecideAsync(lapsing, new HumanDecision(true, "too-late"));
                await Task.Delay(200, block.Cancellation);
                var afterLate = await block.Client.GetInstanceAsync(lapsing, getInputsAndOutputs: true, block.Cancellation);
                var late = afterLate?.ReadOutputAs<HumanApprovalResult>();
                checks.Expect(
                    "late-decision-ignored",
                    afterLate?.RuntimeStatus == OrchestrationRuntimeStatus.Completed && late is { Outcome: "timed-out", Reviewer: null },
                    $"the event to the completed run was accepted silently; 200 ms later it is {afterLate?.RuntimeStatus} with {late?.Outcome} by {late?.Reviewer ?? "nobody"}");

                var daysState = await block.Client.GetInstanceAsync(daysLong, getInputsAndOutputs: true, block.Cancellation);
                var daysWall = daysClock.ElapsedMilliseconds;
                checks.Expect(
                    "days-window-skipped",
                    daysState?.RuntimeStatus == OrchestrationRuntimeStatus.Completed && daysState.ReadOutputAs<HumanApprovalResult>()?.Outcome == "timed-out",
                    $"after {daysWall} ms of wall time the {days.TotalDays:0}-day window is {daysState?.RuntimeStatus}: the in-process host has no time skipping, its durable timers fire in real time, so the timeout path of a days-long window cannot be tested without waiting days");
                await block.Client.TerminateInstanceAsync(daysLong, "AI-03: the 3-day window was only observed", block.Cancellation);
            });
        fact.Cite(
            "Human interaction: an orchestrator waits for an external event raised by a person and races it against a durable timer for the deadline (context.CreateTimer with Task.WhenAny); the timer is cancelled when the event wins.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-phone-verification");
        fact.Conclude();
    }

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "?";
}
