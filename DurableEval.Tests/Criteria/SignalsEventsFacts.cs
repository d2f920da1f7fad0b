using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>SG — Signals &amp; Events: external signals, waits and awaitables, event triggers, queries and updates.</summary>
public sealed class SignalsEventsFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    [SkippableFact]
    [Criterion("SG-01")]
    public async Task SG01_ExternalSignals()
    {
        const int Signals = 20;
        const int OfflineSignal = 99;
        const int StartSignal = 7;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("signals-change-state", $"{Signals} signals raise the workflow's signal counter (read by a query) to {Signals}, with {Signals} WorkflowExecutionSignaled events in history"),
                Core("signals-in-order", "A numbered sequence of signals is seen by the workflow in the order it was sent, the order history records"),
                Core("signal-while-no-worker", "A signal sent while no worker runs is stored by the server and delivered once a new worker starts"),
                Core("signal-with-start-new", "Signal-with-start on an id that does not exist starts a run and delivers the signal before the run's first workflow task"),
                Edge("signal-missing-workflow", "A signal to a workflow id that does not exist fails with RpcException NotFound"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("signals");

                // No workflow cache: the time-skipping server never moves work off a stopped worker's sticky queue.
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }.AddWorkflow<SignalsArriveInOrderWorkflow>();

                await using var first = RunningWorker.Start(server.Client, Options());
                var ordered = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), server.Options("ordered", queue));
                await Eventually.HoldsAsync(async () => (await ordered.QueryAsync(w => w.Seen)).Count == 0, Observe.Bound);
                var sent = Enumerable.Range(1, Signals).ToList();
                var clock = Stopwatch.StartNew();
                foreach (var number in sent)
                {
                    await ordered.SignalAsync(w => w.NoteAsync(number));
                }

                fact.Metric("signal_send_mean_ms", clock.Elapsed.TotalMilliseconds / Signals, "ms");
                IReadOnlyList<int> seen = [];
                await Eventually.HoldsAsync(async () => (seen = await ordered.QueryAsync(w => w.Seen)).Count >= Signals, Observe.Bound);
                await ordered.SignalAsync(w => w.FinishAsync());
                var result = await ordered.GetResultAsync();
                var recorded = NumbersSignalled(await ordered.FetchHistoryAsync());
                checks.Expect(
                    "signals-change-state",
                    seen.Count == Signals && result.Count == Signals && recorded.Count == Signals,
                    $"{Signals} sent; counter by query {seen.Count}, in the result {result.Count}; {recorded.Count} WorkflowExecutionSignaled events carrying a number");
                checks.Expect(
                    "signals-in-order",
                    result.SequenceEqual(sent) && recorded.SequenceEqual(sent),
                    $"sent {Numbers(sent)}; workflow saw {Numbers(result)}; history recorded {Numbers(recorded)}");

                var parked = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), server.Options("offline", queue));
                await Eventually.HoldsAsync(async () => (await parked.QueryAsync(w => w.Seen)).Count == 0, Observe.Bound);
                await first.StopAsync();
                await parked.SignalAsync(w => w.NoteAsync(OfflineSignal));
                var whileAway = await parked.FetchHistoryAsync();
                var storedWhileAway = NumbersSignalled(whileAway);
                var lastWhileAway = LastEvent(whileAway);

                await using var second = RunningWorker.Start(server.Client, Options());
                clock.Restart();
                IReadOnlyList<int> delivered = [];
                var arrived = await Eventually.HoldsAsync(async () => (delivered = await parked.QueryAsync(w => w.Seen)).Contains(OfflineSignal), Observe.Bound);
                fact.Metric("offline_signal_delivery_ms", clock.Elapsed.TotalMilliseconds, "ms");
                checks.Expect(
                    "signal-while-no-worker",
                    storedWhileAway.SequenceEqual([OfflineSignal]) && arrived && delivered.SequenceEqual([OfflineSignal]),
                    $"with no worker the history held {storedWhileAway.Count} signal(s) [{Numbers(storedWhileAway)}], last event {lastWhileAway}; after a new worker started the workflow saw [{Numbers(delivered)}]");
                await parked.SignalAsync(w => w.FinishAsync());
                await parked.GetResultAsync();

                var options = server.Options("sws", queue);
                var before = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle(options.Id!).DescribeAsync());
                options.SignalWithStart((SignalsArriveInOrderWorkflow w) => w.NoteAsync(StartSignal));
                var started = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), options);
                await started.SignalAsync(w => w.FinishAsync());
                var startedResult = await started.GetResultAsync();
                var types = HistoryProbe.Types(await started.FetchHistoryAsync()).ToList();

                // Delivered with the start: the signal is recorded before the first workflow task starts, so the run's code sees it from its first task.
                var firstTask = types.IndexOf(EventType.WorkflowTaskStarted);
                var signalAt = types.IndexOf(EventType.WorkflowExecutionSignaled);
                checks.Expect(
                    "signal-with-start-new",
                    IsNotFound(before) && started.ResultRunId is not null && startedResult.SequenceEqual([StartSignal])
                        && types[0] == EventType.WorkflowExecutionStarted && signalAt > 0 && signalAt < firstTask,
                    $"before: describe gave {Observe.Describe(before)}; after: run {Observe.Short(started.ResultRunId)} saw [{Numbers(startedResult)}]; history begins {HistoryProbe.Sequence(types.Take(firstTask + 1))}");

                var missing = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle<SignalsArriveInOrderWorkflow>(server.NewId("missing")).SignalAsync(w => w.NoteAsync(1)));
                checks.Expect("signal-missing-workflow", IsNotFound(missing), $"signal to a missing id: {Observe.Describe(missing)}");
            });
        fact.Conclude();
    }

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

    [SkippableFact]
    [Criterion("SG-03")]
    public async Task SG03_EventTriggers()
    {
        const int Events = 5;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("api-start", "A run started through the client API (StartWorkflowAsync) runs to completion"),
                Core("signal-with-start-one-run", $"{Events} events sent as signal-with-start to one id start exactly one run, which receives all {Events} in order"),
                Edge("update-with-start", "Update-with-start starts a run and returns the update's result to the caller in the same call"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("triggers");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<EventInboxWorkflow>());

                var api = await server.Client.StartWorkflowAsync((EventInboxWorkflow w) => w.RunAsync(0), server.Options("api", queue));
                var apiResult = await api.GetResultAsync();
                var apiTypes = HistoryProbe.Types(await api.FetchHistoryAsync());
                checks.Expect(
                    "api-start",
                    api.ResultRunId is not null && apiResult.Count == 0 && apiTypes[0] == EventType.WorkflowExecutionStarted && apiTypes[^1] == EventType.WorkflowExecutionCompleted,
                    $"run {Observe.Short(api.ResultRunId)} returned {apiResult.Count} events; history {apiTypes[0]} ... {apiTypes[^1]} ({apiTypes.Count} events)");

                var options = server.Options("events", queue);
                var sent = Enumerable.Range(1, Events).Select(i => $"event-{i}").ToList();
                var runIds = new List<string?>();
                WorkflowHandle<EventInboxWorkflow, IReadOnlyList<string>>? inbox = null;
                foreach (var name in sent)
                {
                    var eventOptions = (WorkflowOptions)options.Clone();
                    eventOptions.SignalWithStart((EventInboxWorkflow w) => w.EventAsync(name));
                    inbox = await server.Client.StartWorkflowAsync((EventInboxWorkflow w) => w.RunAsync(Events), eventOptions);
                    runIds.Add(inbox.ResultRunId);
                }

                var received = await inbox!.GetResultAsync();
                var inboxHistory = await inbox.FetchHistoryAsync();
                var starts = HistoryProbe.Count(inboxHistory, EventType.WorkflowExecutionStarted);
                var signalled = HistoryProbe.Count(inboxHistory, EventType.WorkflowExecutionSignaled);
                checks.Expect(
                    "signal-with-start-one-run",
                    runIds.Distinct().Count() == 1 && starts == 1 && signalled == Events && received.SequenceEqual(sent),
                    $"{Events} signal-with-start calls gave {runIds.Distinct().Count()} distinct run id(s); history: {starts} WorkflowExecutionStarted, {signalled} WorkflowExecutionSignaled; the run received [{string.Join(",", received)}]");

                var withStartOptions = server.Options("uws", queue);
                withStartOptions.IdConflictPolicy = WorkflowIdConflictPolicy.Fail;
                var startOperation = WithStartWorkflowOperation.Create((EventInboxWorkflow w) => w.RunAsync(1), withStartOptions);
                var clock = Stopwatch.StartNew();
                var count = await server.Client.ExecuteUpdateWithStartWorkflowAsync((EventInboxWorkflow w) => w.RecordAsync("order-placed"), new(startOperation));
                fact.Metric("update_with_start_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var updated = await startOperation.GetHandleAsync();
                var updatedResult = await updated.GetResultAsync();
                var updatedHistory = await updated.FetchHistoryAsync();
                checks.Expect(
                    "update-with-start",
                    count == 1 && updatedResult.SequenceEqual(["order-placed"]) && HistoryProbe.Count(updatedHistory, EventType.WorkflowExecutionStarted) == 1
                        && HistoryProbe.Count(updatedHistory, EventType.WorkflowExecutionUpdateCompleted) == 1,
                    $"update returned {count}; run {Observe.Short(updated.ResultRunId)} returned [{string.Join(",", updatedResult)}]; history: {HistoryProbe.Count(updatedHistory, EventType.WorkflowExecutionStarted)} WorkflowExecutionStarted, "
                        + $"{HistoryProbe.Count(updatedHistory, EventType.WorkflowExecutionUpdateAccepted)} UpdateAccepted, {HistoryProbe.Count(updatedHistory, EventType.WorkflowExecutionUpdateCompleted)} UpdateCompleted");
            });

        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [Edge("cron-runs", "A cron schedule (*/10 * * * *) starts one run at every 10-minute boundary of workflow time: 35 skipped minutes cross 3 or 4 boundaries, and as many runs complete")],
            async (server, checks) =>
            {
                const string Cron = "*/10 * * * *";
                var tick = TimeSpan.FromMinutes(10);
                var skipped = TimeSpan.FromMinutes(35);
                var queue = server.NewTaskQueue("cron");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<CronTickWorkflow>());
                var options = server.Options("cron", queue);
                options.CronSchedule = Cron;

                // Cron ticks sit on the server clock's calendar; this block's server is fresh, so its clock has not jumped.
                var from = await server.Environment.GetCurrentTimeAsync();
                var cron = await server.Client.StartWorkflowAsync((CronTickWorkflow w) => w.RunAsync(), options);
                var clock = Stopwatch.StartNew();
                await server.Environment.DelayAsync(skipped);
                fact.Metric("cron_skip_wall_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var to = await server.Environment.GetCurrentTimeAsync();
                var boundaries = (to.Ticks / tick.Ticks) - (from.Ticks / tick.Ticks);

                // The newest run waits for its tick; it carries the previous run's result, which counts the runs so far.
                var latest = HistoryProbe.FirstOf(await cron.FetchHistoryAsync(), EventType.WorkflowExecutionStarted)?.WorkflowExecutionStartedEventAttributes;
                var runs = latest?.LastCompletionResult is { Payloads_.Count: > 0 } last ? HistoryProbe.DecodeFirst<int>(last) : 0;
                fact.Metric("cron_runs", runs, "runs");
                checks.Expect(
                    "cron-runs",
                    latest?.CronSchedule == Cron && runs == boundaries && runs >= 3 && runs <= 4,
                    $"{runs} cron runs completed while workflow time moved {Minutes(to - from)} ({Clock(from)} to {Clock(to)}, {boundaries} ten-minute boundaries); "
                        + $"newest run's cron schedule \"{latest?.CronSchedule}\", waiting {(latest?.FirstWorkflowTaskBackoff is { } backoff ? Minutes(backoff.ToTimeSpan()) : "no backoff")} for its tick");

                // Cron runs forever; end the chain here (its newest run is waiting for a tick, not on a workflow task).
                await cron.TerminateAsync("DurableEval: probe finished");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [Production("schedule-trigger", "A paused schedule triggered twice starts two runs (two recent actions, both completed) and is deleted afterwards")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("schedule");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<EventInboxWorkflow>());
                var action = ScheduleActionStartWorkflow.Create((EventInboxWorkflow w) => w.RunAsync(0), server.Options("scheduled", queue));
                var schedule = await server.Client.CreateScheduleAsync(
                    server.NewId("schedule"),
                    new Schedule(action, new ScheduleSpec()) { State = new() { Paused = true } });
                try
                {
                    // Trigger the second only after the first finished: the default overlap policy skips a trigger while a run is open.
                    await schedule.TriggerAsync();
                    var firstDone = await Eventually.HoldsAsync(async () => (await CompletedScheduledRunsAsync(server.Client, schedule)) == 1, Observe.Bound);
                    await schedule.TriggerAsync();
                    var bothDone = await Eventually.HoldsAsync(async () => (await CompletedScheduledRunsAsync(server.Client, schedule)) == 2, Observe.Bound);
                    var description = await schedule.DescribeAsync();
                    checks.Expect(
                        "schedule-trigger",
                        firstDone && bothDone && description.Info.RecentActions.Count == 2 && description.Info.NumActions == 2,
                        $"after two triggers: {description.Info.RecentActions.Count} recent actions, {description.Info.NumActions} actions; completed runs seen after each trigger: {firstDone}, {bothDone}");
                }
                finally
                {
                    await schedule.DeleteAsync();
                }
            });
        fact.Finding("No Temporal client API consumes an external broker (Kafka, SQS, webhooks): a broker event becomes a run only through user code, a consumer that calls StartWorkflowAsync or signal-with-start with an id derived from the event (which also absorbs redelivered events).");
        fact.Cite(
            "A Temporal Client starts Workflow Executions and sends Signals to them; the client is the entry point for every externally triggered run.",
            "https://docs.temporal.io/develop/dotnet/client/temporal-client");
        fact.Cite(
            "Schedules (CreateScheduleAsync with a ScheduleActionStartWorkflow action) start Workflow Executions on a calendar or interval and can be triggered, backfilled and paused; they replace Cron Jobs.",
            "https://docs.temporal.io/develop/dotnet/schedules");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("SG-04")]
    public async Task SG04_Query()
    {
        const int Queries = 20;
        const int Steps = 2;
        const int Target = 10;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("query-live", "A query reads the running workflow's current state as signals change it"),
                Core("query-after-completion", "A query on the completed workflow answers its final state, replayed by the worker from history"),
                Core("query-adds-no-events", $"{Queries} queries on the running workflow and queries on the completed one add no history events"),
                Core("update-validator-rejects", "An update the validator refuses fails with WorkflowUpdateFailedException and leaves no UpdateAccepted event"),
                Core("update-returns-value", "A valid update is accepted, finishes within the caller's call, returns its value, and the next query sees its effect"),
                Edge("query-failure-surfaces", "A query handler that throws surfaces as WorkflowQueryFailedException carrying its message"),
                Edge("query-rejected-when-closed", "QueryRejectCondition.NotOpen on a completed workflow gives WorkflowQueryRejectedException with status Completed"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("query");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<QueryableProgressWorkflow>());
                var handle = await server.Client.StartWorkflowAsync((QueryableProgressWorkflow w) => w.RunAsync(), server.Options("progress", queue));
                // Polls until the first workflow task has run: a query before it can be refused.
                ProgressState? initial = null;
                await Eventually.HoldsAsync(async () => (initial = await handle.QueryAsync(w => w.State)) is not null, Observe.Bound);
                for (var i = 0; i < Steps; i++)
                {
                    await handle.SignalAsync(w => w.StepAsync());
                }

                ProgressState? live = null;
                await Eventually.HoldsAsync(async () => (live = await handle.QueryAsync(w => w.State)).Steps == Steps, Observe.Bound);
                checks.Expect(
                    "query-live",
                    initial == new ProgressState(0, 0) && live == new ProgressState(Steps, 0),
                    $"state before signals {initial}; after {Steps} step signals {live}; workflow still running");

                var runningBefore = await EventCountAsync(handle);
                var answers = new List<ProgressState>();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < Queries; i++)
                {
                    answers.Add(await handle.QueryAsync(w => w.State));
                }

                fact.Metric("query_latency_mean_ms", clock.Elapsed.TotalMilliseconds / Queries, "ms");
                var runningAfter = await EventCountAsync(handle);

                var broken = await Observe.FailureOfAsync(() => handle.QueryAsync(w => w.BrokenQuery()));
                checks.Expect(
                    "query-failure-surfaces",
                    broken is WorkflowQueryFailedException && broken.Message.Contains("query boom", StringComparison.Ordinal),
                    $"throwing query: {Observe.Describe(broken)}");

                var refused = await Observe.FailureOfAsync(() => handle.ExecuteUpdateAsync(w => w.SetTargetAsync(QueryableProgressWorkflow.MaxTarget + 1)));
                var acceptedAfterRefusal = HistoryProbe.Count(await handle.FetchHistoryAsync(), EventType.WorkflowExecutionUpdateAccepted);
                checks.Expect(
                    "update-validator-rejects",
                    refused is WorkflowUpdateFailedException { InnerException: ApplicationFailureException } && acceptedAfterRefusal == 0,
                    $"update with target {QueryableProgressWorkflow.MaxTarget + 1}: {Observe.DescribeChain(refused)}; {acceptedAfterRefusal} UpdateAccepted events");

                clock.Restart();
                var remaining = await handle.ExecuteUpdateAsync(w => w.SetTargetAsync(Target));
                fact.Metric("update_roundtrip_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var afterUpdate = await handle.QueryAsync(w => w.State);
                var updateHistory = await handle.FetchHistoryAsync();
                var accepted = HistoryProbe.Count(updateHistory, EventType.WorkflowExecutionUpdateAccepted);
                var completed = HistoryProbe.Count(updateHistory, EventType.WorkflowExecutionUpdateCompleted);
                checks.Expect(
                    "update-returns-value",
                    remaining == Target - Steps && afterUpdate.Target == Target && accepted == 1 && completed == 1,
                    $"update returned {remaining} (target {Target} minus {Steps} steps); next query {afterUpdate}; history {accepted} UpdateAccepted, {completed} UpdateCompleted");

                await handle.SignalAsync(w => w.FinishAsync());
                var final = await handle.GetResultAsync();
                var closedBefore = await EventCountAsync(handle);
                var runsBefore = QueryableProgressWorkflow.RunEntries[handle.Id];
                clock.Restart();
                var closedAnswer = await handle.QueryAsync(w => w.State);
                fact.Metric("query_completed_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var runsAfter = QueryableProgressWorkflow.RunEntries[handle.Id];
                var rejected = await Observe.FailureOfAsync(() => handle.QueryAsync(w => w.State, new() { RejectCondition = QueryRejectCondition.NotOpen }));
                var closedAfter = await EventCountAsync(handle);
                checks.Expect(
                    "query-after-completion",
                    closedAnswer == final && final == new ProgressState(Steps, Target) && runsAfter > runsBefore,
                    $"result {final}; query after completion {closedAnswer}; run method entered {runsBefore} time(s) before that query, {runsAfter} after (the query replayed the history)");
                checks.Expect(
                    "query-adds-no-events",
                    answers.All(a => a == live) && runningBefore == runningAfter && closedBefore == closedAfter,
                    $"running: {runningBefore} events before {Queries} queries, {runningAfter} after; completed: {closedBefore} before the queries, {closedAfter} after");
                checks.Expect(
                    "query-rejected-when-closed",
                    rejected is WorkflowQueryRejectedException { WorkflowStatus: WorkflowExecutionStatus.Completed },
                    $"NotOpen query on the completed workflow: {Observe.Describe(rejected)}");
            });
        fact.Conclude();
    }

    /// <summary>The numbers carried by the history's signal events, in history order (signals without input are left out).</summary>
    private static List<int> NumbersSignalled(WorkflowHistory history) => history.Events
        .Where(e => e.EventType == EventType.WorkflowExecutionSignaled && e.WorkflowExecutionSignaledEventAttributes.Input is { Payloads_.Count: > 0 })
        .Select(e => HistoryProbe.DecodeFirst<int>(e.WorkflowExecutionSignaledEventAttributes.Input))
        .ToList();

    private static EventType LastEvent(WorkflowHistory history) => history.Events.Last().EventType;

    private static async Task<int> EventCountAsync(WorkflowHandle handle) => (await handle.FetchHistoryAsync()).Events.Count;

    /// <summary>Scheduled runs that completed, found through the schedule's recent actions.</summary>
    private static async Task<int> CompletedScheduledRunsAsync(ITemporalClient client, ScheduleHandle schedule)
    {
        var completed = 0;
        foreach (var action in (await schedule.DescribeAsync()).Info.RecentActions)
        {
            if (action.Action is ScheduleActionExecutionStartWorkflow run
                && (await client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).DescribeAsync()).Status == WorkflowExecutionStatus.Completed)
            {
                completed++;
            }
        }

        return completed;
    }

    private static bool IsNotFound(Exception? e) => e is RpcException { Code: RpcException.StatusCode.NotFound };

    private static string Numbers(IEnumerable<int> numbers) => string.Join(",", numbers);

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.###", CultureInfo.InvariantCulture) + " h";

    private static string Minutes(TimeSpan span) => span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min";

    private static string Clock(DateTime time) => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
