using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class SignalsEventsFacts
{
    [SkippableFact]
    [Criterion("SG-02")]
    public async Task SG02_WaitAwaitables()
    {
        var day = TimeSpan.FromHours(24);
        var partway = TimeSpan.FromHours(23);
        var race = TimeSpan.FromHours(1);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("condition-resumes-on-signal", "A wait on an arbitrary condition (a signalled total reaching 10) stays blocked while signals leave it false and resumes on the signal that makes it true"),
                Core("timeout-returns-false", "A 24 h wait with no approval returns false after 24 h of workflow time, skipped in seconds of wall time"),
                Core("approval-before-timeout", "An approval signalled 23 h into a 24 h wait returns true after 23 h of workflow time"),
                Core("first-of-several", "Workflow.WhenAnyAsync over a 1 h timer and a signalled condition returns whichever finishes first: the signal when it comes first, the timer otherwise"),
                Edge("loser-cancelled", "The losing task ends canceled and the workflow completes normally; a losing timer is recorded as TimerCanceled, never fired"),
                Edge("cancel-during-wait", "Cancelling the workflow during a wait ends it as canceled: WorkflowFailedException with an inner CanceledFailureException, status Canceled"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("waits");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ThresholdWaitWorkflow>()
                    .AddWorkflow<ApprovalWaitWorkflow>()
                    .AddWorkflow<FirstOfTimerOrSignalWorkflow>());

                // Longer than every wait here, so the execution timeout never decides one.
                var longRun = TimeSpan.FromHours(48);

                var threshold = await server.Client.StartWorkflowAsync((ThresholdWaitWorkflow w) => w.RunAsync(10), server.Options("threshold", queue));
                await threshold.SignalAsync(w => w.AddAsync(3));
                await threshold.SignalAsync(w => w.AddAsync(4));
                await Eventually.HoldsAsync(async () => await threshold.QueryAsync(w => w.Total) == 7, Observe.Bound);
                var resumedEarly = await threshold.QueryAsync(w => w.Resumed);
                await threshold.SignalAsync(w => w.AddAsync(5));
                var reached = await threshold.GetResultAsync();
                checks.Expect(
                    "condition-resumes-on-signal",
                    !resumedEarly && reached == new ThresholdOutcome(12, 3),
                    $"at total 7 (2 signals) resumed={resumedEarly}; resumed with total {reached.Total} after {reached.Signals} signals");

                var clock = Stopwatch.StartNew();
                var lapse = await server.Client.StartWorkflowAsync((ApprovalWaitWorkflow w) => w.RunAsync(day), server.Options("lapse", queue, longRun));
                var lapsed = await lapse.GetResultAsync();
                var lapseWallMs = clock.Elapsed.TotalMilliseconds;
                fact.Metric("timeout_wait_workflow_h", lapsed.Waited.TotalHours, "h");
                fact.Metric("timeout_wait_wall_ms", lapseWallMs, "ms");

                // 10 s of wall time for 24 h of workflow time is four orders of magnitude; a busy 2-core machine stays far below it.
                checks.Expect(
                    "timeout-returns-false",
                    !lapsed.Approved && lapsed.Waited >= day && lapsed.Waited < day + TimeSpan.FromMinutes(1) && lapseWallMs < 10_000,
                    $"returned {lapsed.Approved} after {Hours(lapsed.Waited)} of workflow time in {Ms(lapseWallMs)} of wall time");

                var approval = await server.Client.StartWorkflowAsync((ApprovalWaitWorkflow w) => w.RunAsync(day), server.Options("approval", queue, longRun));
                await Eventually.HoldsAsync(() => approval.QueryAsync(w => w.Waiting), Observe.Bound);
                await server.Environment.DelayAsync(partway);

                // Signal before awaiting the result: an auto-skip would fire the pending 24 h timeout first.
                await approval.SignalAsync(w => w.ApproveAsync("bob"));
                var approved = await approval.GetResultAsync();
                fact.Metric("approval_wait_workflow_h", approved.Waited.TotalHours, "h");
                checks.Expect(
                    "approval-before-timeout",
                    approved.Approved && approved.Approver == "bob" && approved.Waited >= partway && approved.Waited < day,
                    $"returned {approved.Approved} (approver {approved.Approver ?? "none"}) after {Hours(approved.Waited)} of workflow time, the environment moved {Hours(partway)}");

                var signalFirst = await server.Client.StartWorkflowAsync((FirstOfTimerOrSignalWorkflow w) => w.RunAsync(race), server.Options("race-signal", queue, longRun));
                await Eventually.HoldsAsync(() => signalFirst.QueryAsync(w => w.Racing), Observe.Bound);
                await signalFirst.SignalAsync(w => w.GoAsync());
                var signalWon = await signalFirst.GetResultAsync();
                var signalRace = await signalFirst.FetchHistoryAsync();

                var timerFirst = await server.Client.StartWorkflowAsync((FirstOfTimerOrSignalWorkflow w) => w.RunAsync(race), server.Options("race-timer", queue, longRun));
                var timerWon = await timerFirst.GetResultAsync();
                var timerRace = await timerFirst.FetchHistoryAsync();
                checks.Expect(
                    "first-of-several",
                    signalWon.Winner == "signal" && signalWon.Elapsed < race && timerWon.Winner == "timer" && timerWon.Elapsed >= race,
                    $"signal sent first: {signalWon.Winner} won after {Hours(signalWon.Elapsed)}; no signal: {timerWon.Winner} won after {Hours(timerWon.Elapsed)}");
                checks.Expect(
                    "loser-cancelled",
                    signalWon.LoserEnded == "canceled" && timerWon.LoserEnded == "canceled"
                        && HistoryProbe.Count(signalRace, EventType.TimerCanceled) == 1 && HistoryProbe.Count(signalRace, EventType.TimerFired) == 0
                        && LastEvent(signalRace) == EventType.WorkflowExecutionCompleted && LastEvent(timerRace) == EventType.WorkflowExecutionCompleted,
                    $"losing timer ended {signalWon.LoserEnded} ({HistoryProbe.Count(signalRace, EventType.TimerCanceled)} TimerCanceled, {HistoryProbe.Count(signalRace, EventType.TimerFired)} TimerFired); "
                        + $"losing condition ended {timerWon.LoserEnded}; runs ended {LastEvent(signalRace)} and {LastEvent(timerRace)}");

                // Last in the block: a cancelled run leaves timers behind that make this server's clock jump later.
                var cancelled = await server.Client.StartWorkflowAsync((ApprovalWaitWorkflow w) => w.RunAsync(day), server.Options("cancel", queue, longRun));
                await Eventually.HoldsAsync(() => cancelled.QueryAsync(w => w.Waiting), Observe.Bound);
                await cancelled.CancelAsync();
                var ended = await Observe.FailureOfAsync(() => cancelled.GetResultAsync());
                var status = (await cancelled.DescribeAsync()).Status;
                checks.Expect(
                    "cancel-during-wait",
                    ended is WorkflowFailedException { InnerException: CanceledFailureException } && status == WorkflowExecutionStatus.Canceled,
                    $"result: {Observe.DescribeChain(ended)}; status {status}");
            });
        fact.Conclude();
    }
}
