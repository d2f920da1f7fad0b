using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-03")]
    public async Task AI03_HumanApproval()
    {
        // Days of waiting: the approval window is three days, decisions arrive after one to two days.
        var window = TimeSpan.FromDays(3);
        var signalAfter = TimeSpan.FromHours(50);
        var updateAfter = TimeSpan.FromHours(30);
        var rejectAfter = TimeSpan.FromHours(10);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("signal-approve", $"Approved by signal after {H(signalAfter)}: the run completes 'approved' by the reviewer the signal named, having waited that long in workflow time; the WorkflowExecutionSignaled event records the decision sent"),
                Core("update-approve", $"Approved by update after {H(updateAfter)}: the caller gets the handler's acknowledgement and the run completes 'approved'"),
                Core("update-reject", $"Rejected by update after {H(rejectAfter)}: the run completes 'rejected'"),
                Core("timeout-path", $"No decision: the run completes 'timed-out' after exactly {H(window)} of workflow time (no earlier, at most {TimerWake.Tolerance.TotalSeconds:0} s later), in seconds of wall time"),
                Core("validator-rejects", "An update without a reviewer is refused by the validator (WorkflowUpdateFailedException) and the run keeps waiting"),
                Edge("rejected-update-no-event", "A refused update leaves no history event: one UpdateAccepted/Completed for the valid update, no UpdateRejected"),
            ],
            async (server, checks) =>
            {
                await using var host = AgentHost.Start(r => ScriptedReply.Text($"draft #{r.Index}: refund order A-17"));
                var queue = server.NewTaskQueue("approval");
                await using var worker = RunningWorker.Start(server.Client, host.Worker(queue).AddWorkflow<AgentApprovalWorkflow>());

                // Longer than the approval window, so the execution timeout never decides a run.
                var runBound = window + TimeSpan.FromDays(1);

                async Task<WorkflowHandle<AgentApprovalWorkflow, ApprovalResult>> StartWaitingAsync(string purpose)
                {
                    var handle = await server.Client.StartWorkflowAsync((AgentApprovalWorkflow w) => w.RunAsync("refund order A-17", window), server.Options(purpose, queue, runBound));
                    await Eventually.HoldsAsync(() => handle.QueryAsync(w => w.Waiting), Observe.Bound, checks.Cancellation);
                    return handle;
                }

                // Time moves only by DelayAsync here: each decision is sent before the result is awaited (an auto-skip
                // would fire the 3-day timeout first), and result waits run with auto-skipping off, because on a loaded
                // machine it also jumps past the 10 s timeout of a workflow task still being processed.
                Task<T> Unskipped<T>(Func<Task<T>> wait) => server.Environment.WithAutoTimeSkippingDisabledAsync(wait);
                var bySignal = await StartWaitingAsync("signal");
                await server.Environment.DelayAsync(signalAfter);
                var sentDecision = new ApprovalDecision(true, $"bob-{Guid.NewGuid():N}"[..12]);
                await bySignal.SignalAsync(w => w.DecideAsync(sentDecision));
                var signalled = await Unskipped(() => bySignal.GetResultAsync());
                var recordedDecisions = RecordedInputs.Signals<ApprovalDecision>(await bySignal.FetchHistoryAsync(), "Decide");
                fact.Metric("signal_approval_wait_workflow_h", signalled.Waited.TotalHours, "h");
                checks.Expect(
                    "signal-approve",
                    signalled.Outcome == "approved" && signalled.Reviewer == sentDecision.Reviewer && Within(signalled.Waited, signalAfter, window)
                        && recordedDecisions.Count == 1 && recordedDecisions[0].Present && recordedDecisions[0].Value == sentDecision,
                    $"sent {sentDecision}; {signalled.Outcome} by {signalled.Reviewer ?? "nobody"} after {H(signalled.Waited)} of workflow time (environment moved {H(signalAfter)}); "
                        + $"history recorded [{string.Join(", ", recordedDecisions)}]; draft '{signalled.Draft}'");

                var byUpdate = await StartWaitingAsync("update");
                await server.Environment.DelayAsync(updateAfter);
                var refused = await Observe.FailureOfAsync(() => byUpdate.ExecuteUpdateAsync(w => w.ReviewAsync(new ApprovalDecision(true, " "))));
                var stillWaiting = (await byUpdate.DescribeAsync()).Status == WorkflowExecutionStatus.Running;
                var ack = await byUpdate.ExecuteUpdateAsync(w => w.ReviewAsync(new ApprovalDecision(true, "alice")));
                var updated = await Unskipped(() => byUpdate.GetResultAsync());
                checks.Expect(
                    "validator-rejects",
                    refused is WorkflowUpdateFailedException && Observe.Chain(refused).Any(e => e.Message.Contains("reviewer is required", StringComparison.Ordinal)) && stillWaiting,
                    $"update without reviewer: {Observe.DescribeChain(refused)}; run still running afterwards: {stillWaiting}");
                checks.Expect(
                    "update-approve",
                    ack == "recorded approval by alice" && updated.Outcome == "approved" && updated.Reviewer == "alice" && Within(updated.Waited, updateAfter, window),
                    $"update answered '{ack}'; run {updated.Outcome} by {updated.Reviewer ?? "nobody"} after {H(updated.Waited)} of workflow time");
                var updateHistory = await byUpdate.FetchHistoryAsync();
                int Count(EventType t) => HistoryProbe.Count(updateHistory, t);
                checks.Expect(
                    "rejected-update-no-event",
                    Count(EventType.WorkflowExecutionUpdateAccepted) == 1 && Count(EventType.WorkflowExecutionUpdateCompleted) == 1 && Count(EventType.WorkflowExecutionUpdateRejected) == 0,
                    $"two updates sent (one refused): {Count(EventType.WorkflowExecutionUpdateAccepted)} UpdateAccepted, {Count(EventType.WorkflowExecutionUpdateCompleted)} UpdateCompleted, {Count(EventType.WorkflowExecutionUpdateRejected)} UpdateRejected");

                var rejecting = await StartWaitingAsync("reject");
                await server.Environment.DelayAsync(rejectAfter);
                var rejectAck = await rejecting.ExecuteUpdateAsync(w => w.ReviewAsync(new ApprovalDecision(false, "carol")));
                var rejected = await Unskipped(() => rejecting.GetResultAsync());
                checks.Expect(
                    "update-reject",
                    rejectAck == "recorded rejection by carol" && rejected.Outcome == "rejected" && rejected.Reviewer == "carol" && Within(rejected.Waited, rejectAfter, window),
                    $"update answered '{rejectAck}'; run {rejected.Outcome} by {rejected.Reviewer ?? "nobody"} after {H(rejected.Waited)} of workflow time");

                var clock = Stopwatch.StartNew();
                var lapsing = await StartWaitingAsync("timeout");
                await server.Environment.DelayAsync(window);
                var lapsed = await Unskipped(() => lapsing.GetResultAsync());
                var wall = clock.Elapsed;
                fact.Metric("timeout_wait_workflow_h", lapsed.Waited.TotalHours, "h");
                fact.Metric("timeout_wait_wall_ms", wall.TotalMilliseconds, "ms");

                // Seconds of wall time for three days of workflow time; a loaded 2-core machine stays far below 10 s.
                checks.Expect(
                    "timeout-path",
                    lapsed.Outcome == "timed-out" && lapsed.Reviewer is null && TimerWake.OnTime(lapsed.Waited, window) && wall < TimeSpan.FromSeconds(10),
                    $"{lapsed.Outcome} after {H(lapsed.Waited)} of workflow time ({TimerWake.Describe(lapsed.Waited, window)}) in {wall.TotalMilliseconds:0} ms of wall time");
                fact.Metric("model_requests", host.Endpoint.Requests, "requests");
            });
        fact.Cite(
            "Human-in-the-loop: a workflow waits on a signal or update (with a timer for the deadline) at no cost while it waits; updates can be validated and a rejected update is not written to history.",
            "https://docs.temporal.io/encyclopedia/workflow-message-passing");
        fact.Conclude();
    }

    /// <summary>Waited at least the time the environment moved, and less than the window (the timeout did not decide it).</summary>
    private static bool Within(TimeSpan waited, TimeSpan moved, TimeSpan window) => waited >= moved && waited < window;

    private static string H(TimeSpan t) => $"{t.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} h";
}
