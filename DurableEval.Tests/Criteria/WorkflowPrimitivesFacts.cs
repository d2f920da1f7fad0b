using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;
using ClosePolicy = Temporalio.Workflows.ParentClosePolicy;

namespace DurableEval.Tests.Criteria;

/// <summary>WF — Workflow Primitives: steps, child workflows, fan-out, control flow, timers, queues and rate control.</summary>
public sealed class WorkflowPrimitivesFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    [SkippableFact]
    [Criterion("WF-01")]
    public async Task WF01_StepDefinition()
    {
        const string Input = "  World ";
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Edge("static-definition-read", "ActivityDefinition.Create on the static activity reads its name, parameter and return types from the method"),
                Edge("instance-definitions-read", "ActivityDefinition.CreateAll on an instance finds every [Activity] method of its class"),
                Edge("missing-attribute-rejected", "A lambda without [Activity] is rejected with a message naming the missing attribute"),
            ],
            checks =>
            {
                var definition = ActivityDefinition.Create(StaticSteps.Normalize);
                checks.Expect(
                    "static-definition-read",
                    definition.Name == nameof(StaticSteps.Normalize) && definition.ParameterTypes.SequenceEqual([typeof(string)]) && definition.ReturnType == typeof(string),
                    $"name {definition.Name}, parameters ({string.Join(", ", definition.ParameterTypes.Select(t => t.Name))}), returns {definition.ReturnType.Name}");

                var all = ActivityDefinition.CreateAll(new ServiceSteps(new GreetingService("offline"))).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "instance-definitions-read",
                    all.SequenceEqual([nameof(ServiceSteps.Greet), nameof(ServiceSteps.Measure)]),
                    $"definitions found on the instance: {string.Join(", ", all)}");

                var rejected = Capture(() => ActivityDefinition.Create((string text) => text.Length));
                checks.Expect(
                    "missing-attribute-rejected",
                    rejected is ArgumentException && rejected.Message.Contains("missing Activity attribute", StringComparison.Ordinal),
                    rejected is null ? "accepted without the attribute" : $"{rejected.GetType().Name}: {rejected.Message}");
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("static-activity-recorded", "A static-method activity runs and is recorded as ActivityTaskScheduled, Started and Completed"),
                Core("injected-activity-recorded", "An instance-method activity runs through the service injected into its class (the fact's service saw the call) and is recorded the same way"),
                Core("local-activity-marker", "A local activity runs and is recorded as one MarkerRecorded event (core_local_activity), with no activity task events"),
            ],
            async (server, checks) =>
            {
                var salutation = $"Ahoy-{Guid.NewGuid():N}"[..12];
                var service = new GreetingService(salutation);
                var queue = server.NewTaskQueue("steps");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<EveryActivityKindRunsWorkflow>()
                    .AddActivity(StaticSteps.Normalize)
                    .AddAllActivities(new ServiceSteps(service)));

                var handle = await server.Client.StartWorkflowAsync((EveryActivityKindRunsWorkflow w) => w.RunAsync(Input), server.Options("steps", queue));
                var result = await handle.GetResultAsync();
                var history = await handle.FetchHistoryAsync();
                var calls = service.Calls;

                var normalize = ActivityEvents.Lifecycle(history, nameof(StaticSteps.Normalize));
                checks.Expect(
                    "static-activity-recorded",
                    result.Normalized == StaticSteps.Normalize(Input) && normalize is { Scheduled: 1, Started: 1, Completed: 1 },
                    $"returned \"{result.Normalized}\"; {normalize}");

                var greet = ActivityEvents.Lifecycle(history, nameof(ServiceSteps.Greet));
                checks.Expect(
                    "injected-activity-recorded",
                    result.Greeting == $"{salutation}, {result.Normalized}" && calls.Count(c => c == nameof(GreetingService.Greet)) == 1 && greet is { Scheduled: 1, Started: 1, Completed: 1 },
                    $"returned \"{result.Greeting}\"; injected service saw [{string.Join(", ", calls)}]; {greet}");

                var markers = history.Events
                    .Where(e => e.EventType == EventType.MarkerRecorded && e.MarkerRecordedEventAttributes.MarkerName == "core_local_activity")
                    .ToList();
                var markerData = markers.Select(m => m.MarkerRecordedEventAttributes.Details.TryGetValue("data", out var data) ? Utf8(data) : string.Empty).ToList();
                var measure = ActivityEvents.Lifecycle(history, nameof(ServiceSteps.Measure));
                checks.Expect(
                    "local-activity-marker",
                    result.Length == result.Greeting.Length && calls.Count(c => c == nameof(GreetingService.Measure)) == 1
                        && markers.Count == 1 && markerData[0].Contains(nameof(ServiceSteps.Measure), StringComparison.Ordinal) && measure.Scheduled == 0,
                    $"returned {result.Length}; {markers.Count} core_local_activity marker(s) naming {(markerData.Any(d => d.Contains(nameof(ServiceSteps.Measure), StringComparison.Ordinal)) ? "Measure" : "no Measure")}; {measure}");
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("WF-02")]
    public async Task WF02_ChildWorkflows()
    {
        const string Input = "parcel-9";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("child-result-propagates", "A child's result reaches the parent that awaited it"),
                Core("child-failure-propagates", "A child's failure reaches the parent as ChildWorkflowFailureException wrapping the original ApplicationFailureException (type, message)"),
                Core("child-events-recorded", "The parent's history records StartChildWorkflowExecutionInitiated, ChildWorkflowExecutionStarted and ChildWorkflowExecutionCompleted/Failed"),
                Edge("child-knows-parent", "The child sees its parent's workflow id in its own workflow info"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("children");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ChildOutcomesReachParentWorkflow>()
                    .AddWorkflow<EchoChildWorkflow>()
                    .AddWorkflow<RefusingChildWorkflow>());

                var handle = await server.Client.StartWorkflowAsync((ChildOutcomesReachParentWorkflow w) => w.RunAsync(Input), server.Options("parent", queue));
                var outcomes = await handle.GetResultAsync();
                checks.Expect("child-result-propagates", outcomes.Result.StartsWith($"echo:{Input}|", StringComparison.Ordinal), $"parent got \"{outcomes.Result}\"");

                var failure = outcomes.Failure;
                checks.Expect(
                    "child-failure-propagates",
                    failure is { ExceptionType: nameof(ChildWorkflowFailureException), InnerType: nameof(ApplicationFailureException), InnerErrorType: RefusingChildWorkflow.ErrorType }
                        && failure.InnerMessage == $"child refused {Input}",
                    failure is null
                        ? "the parent saw no failure"
                        : $"parent caught {failure.ExceptionType} (child {failure.ChildId}, retry state {failure.RetryState}) wrapping {failure.InnerType} [{failure.InnerErrorType}] \"{failure.InnerMessage}\"");

                var history = await handle.FetchHistoryAsync();
                var initiated = HistoryProbe.Count(history, EventType.StartChildWorkflowExecutionInitiated);
                var started = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionStarted);
                var completed = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionCompleted);
                var failed = HistoryProbe.Count(history, EventType.ChildWorkflowExecutionFailed);
                checks.Expect(
                    "child-events-recorded",
                    initiated == 2 && started == 2 && completed == 1 && failed == 1,
                    $"StartChildWorkflowExecutionInitiated {initiated}, ChildWorkflowExecutionStarted {started}, ChildWorkflowExecutionCompleted {completed}, ChildWorkflowExecutionFailed {failed}");

                checks.Expect("child-knows-parent", outcomes.Result.EndsWith($"|parent={handle.Id}", StringComparison.Ordinal), $"child reported \"{outcomes.Result}\"; parent id {handle.Id}");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Edge("close-terminate", "A child started with ParentClosePolicy.Terminate is terminated when its parent completes"),
                Edge("close-abandon", "A child started with ParentClosePolicy.Abandon keeps running after its parent completes, and still finishes when released"),
                Edge("close-request-cancel", "A child started with ParentClosePolicy.RequestCancel is asked to cancel, cleans up, and ends Canceled"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("close");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ParentClosePoliciesWorkflow>()
                    .AddWorkflow<WaitsForReleaseChildWorkflow>());

                var parent = await server.Client.StartWorkflowAsync((ParentClosePoliciesWorkflow w) => w.RunAsync(), server.Options("close-parent", queue));
                var ids = await parent.GetResultAsync();
                foreach (var id in ids.Values)
                {
                    server.Track(id);
                }

                async Task<WorkflowExecutionStatus?> StatusAsync(string policy) =>
                    ids.TryGetValue(policy, out var id) ? (await server.Client.GetWorkflowHandle(id).DescribeAsync()).Status : null;

                var terminated = await Eventually.HoldsAsync(async () => await StatusAsync(nameof(ClosePolicy.Terminate)) == WorkflowExecutionStatus.Terminated, Observe.Bound);
                checks.Expect("close-terminate", terminated, $"Terminate child: {await StatusAsync(nameof(ClosePolicy.Terminate))}");

                var cancelled = await Eventually.HoldsAsync(async () => await StatusAsync(nameof(ClosePolicy.RequestCancel)) == WorkflowExecutionStatus.Canceled, Observe.Bound);
                var cleanedUp = cancelled && await server.Client.GetWorkflowHandle<WaitsForReleaseChildWorkflow>(ids[nameof(ClosePolicy.RequestCancel)]).QueryAsync(w => w.CleanedUp);
                checks.Expect(
                    "close-request-cancel",
                    cancelled && cleanedUp,
                    $"RequestCancel child: {await StatusAsync(nameof(ClosePolicy.RequestCancel))}; cleanup ran: {cleanedUp}");

                // Judged after the other two settled, so "still running" is not just "not reached yet".
                var abandonedStatus = await StatusAsync(nameof(ClosePolicy.Abandon));
                var released = "not released";
                if (abandonedStatus == WorkflowExecutionStatus.Running)
                {
                    var abandoned = server.Client.GetWorkflowHandle<WaitsForReleaseChildWorkflow>(ids[nameof(ClosePolicy.Abandon)]);
                    await abandoned.SignalAsync(w => w.ReleaseAsync());
                    released = await abandoned.GetResultAsync<string>();
                }

                checks.Expect(
                    "close-abandon",
                    abandonedStatus == WorkflowExecutionStatus.Running && released == "released",
                    $"Abandon child after the parent completed: {abandonedStatus}; after the release signal it returned \"{released}\"");
            });
        fact.Cite(
            "The time-skipping test server does not enforce parent close policies: children stay running after the parent closes, so those checks need a dev server.",
            "https://github.com/temporalio/sdk-java/issues/1079");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("WF-03")]
    public async Task WF03_ParallelExecution()
    {
        const int Items = 20;
        const int FailingItem = 7;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("all-complete", $"All {Items} activities started together complete, results in input order"),
                Core("executions-overlap", "Their executions overlap: more than one activity is in flight at the same moment (interlocked counter)"),
                Core("failing-branch-isolated", "One branch failing non-retryably is captured as that branch's failure; every other branch keeps its result"),
                Edge("started-together", "Every activity of the fan-out is scheduled by the same workflow task"),
                Edge("bounded-fan-out", "A workflow semaphore bounds the fan-out: at most its count in flight, still more than one"),
            ],
            async (server, checks) =>
            {
                // Hold each activity until four are in flight together (2 s at most), so overlap has a moment to show.
                var all = await FanOutAsync(server, "fanout", new FanOutInput(Items), releaseAt: 4, hold: TimeSpan.FromSeconds(2));
                var expected = Enumerable.Range(1, Items).Select(i => (int?)(i * i)).ToList();
                checks.Expect(
                    "all-complete",
                    all.Outcomes.Select(o => o.Item).SequenceEqual(Enumerable.Range(1, Items)) && all.Outcomes.Select(o => o.Value).SequenceEqual(expected),
                    $"{all.Outcomes.Count(o => o.Value is not null)} of {Items} values, in order: {Preview(all.Outcomes.Select(o => o.Value?.ToString(CultureInfo.InvariantCulture) ?? "x"))}");

                fact.Metric("peak_concurrency", all.Probe.Peak, "activities");
                fact.Metric("fanout_elapsed_ms", all.Elapsed.TotalMilliseconds, "ms");
                fact.Metric("fanout_activities_per_s", Items / all.Elapsed.TotalSeconds, "activities/s");
                checks.Expect(
                    "executions-overlap",
                    all.Probe.Peak > 1,
                    $"peak {all.Probe.Peak} in flight at once (hold released: {all.Probe.Released}, timed out: {all.Probe.TimedOut}); {Items} activities in {Ms(all.Elapsed)}");

                var history = await all.Handle.FetchHistoryAsync();
                var batches = ActivityEvents.Scheduled(history).Select(e => e.ActivityTaskScheduledEventAttributes.WorkflowTaskCompletedEventId).Distinct().ToList();
                checks.Expect(
                    "started-together",
                    ActivityEvents.Scheduled(history).Count == Items && batches.Count == 1,
                    $"{ActivityEvents.Scheduled(history).Count} ActivityTaskScheduled events from {batches.Count} workflow task(s)");

                var partial = await FanOutAsync(server, "failing", new FanOutInput(Items, FailingItem), releaseAt: 4, hold: TimeSpan.FromSeconds(2));
                var failedBranch = partial.Outcomes.SingleOrDefault(o => o.Item == FailingItem);
                var others = partial.Outcomes.Where(o => o.Item != FailingItem).ToList();
                var failedAttempts = ActivityEvents.Lifecycle(await partial.Handle.FetchHistoryAsync(), FanOutActivities.SquareName);
                checks.Expect(
                    "failing-branch-isolated",
                    failedBranch is { Value: null, Failure: { } reason } && reason.StartsWith(FanOutActivities.FailureType, StringComparison.Ordinal)
                        && others.Count == Items - 1 && others.All(o => o.Value == o.Item * o.Item) && failedAttempts.Failed == 1,
                    $"branch {FailingItem}: {failedBranch?.Failure ?? "no failure captured"}; {others.Count(o => o.Value == o.Item * o.Item)} of {Items - 1} other branches kept their results; {failedAttempts}");

                const int BoundedItems = 9;
                const int Limit = 3;
                var bounded = await FanOutAsync(server, "bounded", new FanOutInput(BoundedItems, Bound: Limit), releaseAt: Limit + 1, hold: TimeSpan.FromMilliseconds(300));
                fact.Metric("bounded_peak_concurrency", bounded.Probe.Peak, "activities");
                checks.Expect(
                    "bounded-fan-out",
                    bounded.Probe.Peak > 1 && bounded.Probe.Peak <= Limit && bounded.Outcomes.All(o => o.Value == o.Item * o.Item),
                    $"Semaphore({Limit}) over {BoundedItems} activities: peak {bounded.Probe.Peak} in flight; {bounded.Outcomes.Count(o => o.Value is not null)} results");
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("WF-04")]
    public async Task WF04_ConditionalLoop()
    {
        const int DoneAtPoll = 3;
        const int Runs = 4;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("branch-on-input", "An if on the workflow input decides which activity runs (history and call counts agree)"),
                Core("loop-until-done", $"A while loop calls an activity until it reports done, at poll {DoneAtPoll}, and no more"),
                Core("continue-as-new-carries-state", $"A loop split into {Runs} runs by continue-as-new carries its running total and run ids to the final result"),
                Edge("run-chain-in-history", "Each run's history hands over to the next: WorkflowExecutionContinuedAsNew naming the next run, whose start names its predecessor"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("loops");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<BranchThenPollUntilDoneWorkflow>()
                    .AddWorkflow<RunningTotalContinuesAsNewWorkflow>()
                    .AddAllActivities(new LoopActivities(counter))
                    .AddActivity(BatchActivities.AddBatch));

                var express = await server.Client.StartWorkflowAsync(
                    (BranchThenPollUntilDoneWorkflow w) => w.RunAsync(new LoopInput("order-express", true, DoneAtPoll)), server.Options("express", queue));
                var standard = await server.Client.StartWorkflowAsync(
                    (BranchThenPollUntilDoneWorkflow w) => w.RunAsync(new LoopInput("order-standard", false, DoneAtPoll)), server.Options("standard", queue));
                var expressResult = await express.GetResultAsync();
                var standardResult = await standard.GetResultAsync();
                var expressHistory = await express.FetchHistoryAsync();
                var standardHistory = await standard.FetchHistoryAsync();

                var expressTypes = ActivityEvents.Scheduled(expressHistory).Select(e => e.ActivityTaskScheduledEventAttributes.ActivityType.Name).Distinct().ToList();
                var standardTypes = ActivityEvents.Scheduled(standardHistory).Select(e => e.ActivityTaskScheduledEventAttributes.ActivityType.Name).Distinct().ToList();
                checks.Expect(
                    "branch-on-input",
                    expressResult.Shipped == "express:order-express" && standardResult.Shipped == "standard:order-standard"
                        && expressTypes.Contains(nameof(LoopActivities.ShipExpress)) && !expressTypes.Contains(nameof(LoopActivities.ShipStandard))
                        && standardTypes.Contains(nameof(LoopActivities.ShipStandard)) && !standardTypes.Contains(nameof(LoopActivities.ShipExpress))
                        && counter["order-express/ShipExpress"] == 1 && counter["order-express/ShipStandard"] == 0
                        && counter["order-standard/ShipStandard"] == 1 && counter["order-standard/ShipExpress"] == 0,
                    $"express input → \"{expressResult.Shipped}\" [{string.Join(", ", expressTypes)}]; standard input → \"{standardResult.Shipped}\" [{string.Join(", ", standardTypes)}]");

                var polls = new[] { (expressResult, expressHistory, "order-express"), (standardResult, standardHistory, "order-standard") }
                    .Select(r => (r.Item1.Polls, Recorded: ActivityEvents.Lifecycle(r.Item2, nameof(LoopActivities.CheckDelivered)).Completed, Calls: counter[$"{r.Item3}/CheckDelivered"]))
                    .ToList();
                checks.Expect(
                    "loop-until-done",
                    polls.All(p => p.Polls == DoneAtPoll && p.Recorded == DoneAtPoll && p.Calls == DoneAtPoll),
                    string.Join("; ", polls.Select(p => $"loop ran {p.Polls} polls, {p.Recorded} CheckDelivered completed in history, {p.Calls} calls")));

                var clock = Stopwatch.StartNew();
                var initial = new RunningTotal(Runs, 0, []);
                var total = await server.Client.StartWorkflowAsync(
                    (RunningTotalContinuesAsNewWorkflow w) => w.RunAsync(initial), server.Options("total", queue));
                var final = await total.GetResultAsync();
                fact.Metric("continue_as_new_runs", final.RunIds.Count, "runs");
                fact.Metric("continue_as_new_elapsed_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var expectedTotal = Enumerable.Range(1, Runs).Sum(BatchActivities.AddBatch);
                checks.Expect(
                    "continue-as-new-carries-state",
                    final.Total == expectedTotal && final.RunIds.Count == Runs && final.RunIds.Distinct().Count() == Runs && final.RunIds[0] == total.FirstExecutionRunId,
                    $"total {final.Total} (expected {expectedTotal}) from {final.RunIds.Count} distinct runs ({final.RunIds.Distinct().Count()}), first run {Observe.Short(final.RunIds.FirstOrDefault())} = started run {Observe.Short(total.FirstExecutionRunId)}");

                var links = new List<string>();
                var chained = final.RunIds.Count == Runs;
                for (var i = 0; chained && i < Runs; i++)
                {
                    var runHistory = await server.Client.GetWorkflowHandle(total.Id, final.RunIds[i]).FetchHistoryAsync();
                    var predecessor = runHistory.Events.First().WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId;
                    var last = runHistory.Events.Last();
                    var successor = last.EventType == EventType.WorkflowExecutionContinuedAsNew ? last.WorkflowExecutionContinuedAsNewEventAttributes.NewExecutionRunId : null;
                    chained &= predecessor == (i == 0 ? string.Empty : final.RunIds[i - 1])
                        && (i < Runs - 1 ? successor == final.RunIds[i + 1] : last.EventType == EventType.WorkflowExecutionCompleted);
                    links.Add($"run {i + 1}: from {Observe.Short(predecessor)} ends {last.EventType}{(successor is null ? string.Empty : " → " + Observe.Short(successor))}");
                }

                checks.Expect("run-chain-in-history", chained, string.Join("; ", links));
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("WF-05")]
    public async Task WF05_SleepTimer()
    {
        var thirtyDays = TimeSpan.FromDays(30);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("thirty-day-sleep", "A 30-day durable sleep completes in seconds of wall time while workflow time moves the full 30 days"),
                Core("timer-cancelled", "A timer waiting on a linked cancellation source is cancelled by a signal: the wait ends early and history records TimerCanceled"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("sleep");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<DurableSleepWorkflow>()
                    .AddWorkflow<CancellableTimerWorkflow>());

                var clock = Stopwatch.StartNew();
                var sleep = await server.Client.StartWorkflowAsync(
                    (DurableSleepWorkflow w) => w.RunAsync(thirtyDays), server.Options("sleep", queue, thirtyDays + TimeSpan.FromDays(1)));
                var moved = await sleep.GetResultAsync();
                var wall = clock.Elapsed;
                fact.Metric("sleep_wall_s", wall.TotalSeconds, "s");
                fact.Metric("sleep_workflow_time_days", moved.TotalDays, "days");
                var sleepHistory = await sleep.FetchHistoryAsync();
                var timer = HistoryProbe.FirstOf(sleepHistory, EventType.TimerStarted)?.TimerStartedEventAttributes.StartToFireTimeout.ToTimeSpan();

                // "Seconds of wall time": 15 s leaves room for a loaded 2-core machine against 2.6 million seconds slept.
                checks.Expect(
                    "thirty-day-sleep",
                    moved >= thirtyDays && timer == thirtyDays && HistoryProbe.Count(sleepHistory, EventType.TimerFired) == 1 && wall < TimeSpan.FromSeconds(15),
                    $"workflow time moved {moved.TotalDays.ToString("0.###", CultureInfo.InvariantCulture)} days in {wall.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s of wall time; TimerStarted for {timer?.TotalDays.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"} days, {HistoryProbe.Count(sleepHistory, EventType.TimerFired)} TimerFired");

                var hour = TimeSpan.FromHours(1);
                var cancellable = await server.Client.StartWorkflowAsync((CancellableTimerWorkflow w) => w.RunAsync(hour), server.Options("timer", queue));

                // Signal only once the timer is waiting, and before any result wait: an auto-skip would fire the timer first.
                var waiting = await Eventually.HoldsAsync(() => cancellable.QueryAsync(w => w.Waiting), Observe.Bound);
                await cancellable.SignalAsync(w => w.CancelTimerAsync());
                var outcome = await cancellable.GetResultAsync();
                var timerHistory = await cancellable.FetchHistoryAsync();
                var canceled = HistoryProbe.Count(timerHistory, EventType.TimerCanceled);
                var fired = HistoryProbe.Count(timerHistory, EventType.TimerFired);
                checks.Expect(
                    "timer-cancelled",
                    waiting && outcome.Cancelled && outcome.Waited < hour && canceled == 1 && fired == 0,
                    $"wait ended by cancellation: {outcome.Cancelled} after {outcome.Waited.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s of workflow time (timer 1 h); TimerCanceled {canceled}, TimerFired {fired}");
            });

        // Its own block, last: a cron chain always has its next run waiting, so it is terminated before that run's first
        // task, which can leave a time-skipping server's clock locked; a fresh server per block keeps that from the other checks.
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [Edge("cron-runs", "A cron schedule (*/10 * * * *) starts runs on the calendar: runs 10 minutes apart, each handed the previous run's result")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("cron");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<CountsCalendarRunsWorkflow>());
                var options = server.Options("cron", queue, TimeSpan.FromDays(1));
                options.CronSchedule = "*/10 * * * *";
                var cron = await server.Client.StartWorkflowAsync((CountsCalendarRunsWorkflow w) => w.RunAsync(), options);
                var clock = Stopwatch.StartNew();
                await server.Environment.DelayAsync(TimeSpan.FromMinutes(35));
                fact.Metric("cron_35_min_wall_s", clock.Elapsed.TotalSeconds, "s");

                // Walk the chain back from the pending run: each run's start names the run before it.
                var chain = new List<(string RunId, DateTime? ExecutionTime, int? LastResult)>();
                string? runId = (await cron.DescribeAsync()).RunId;
                while (!string.IsNullOrEmpty(runId) && chain.Count < 10)
                {
                    var run = server.Client.GetWorkflowHandle(cron.Id, runId);
                    var started = (await run.FetchHistoryAsync()).Events.First().WorkflowExecutionStartedEventAttributes;
                    var last = started.LastCompletionResult is { Payloads_.Count: > 0 } payloads ? HistoryProbe.DecodeFirst<int>(payloads) : (int?)null;
                    chain.Insert(0, (runId, (await run.DescribeAsync()).ExecutionTime, last));
                    runId = started.ContinuedExecutionRunId;
                }

                var completed = chain.Count - 1;
                fact.Metric("cron_runs_completed", completed, "runs");

                // Start times carry the milliseconds the server took to start each run, hence the one-second tolerance.
                var gaps = chain.Zip(chain.Skip(1), (a, b) => b.ExecutionTime - a.ExecutionTime).ToList();
                var onCalendar = chain.All(r => r.ExecutionTime is { Second: 0 } t && t.Minute % 10 == 0);
                checks.Expect(
                    "cron-runs",
                    completed >= 3 && chain[0].RunId == cron.FirstExecutionRunId && chain[^1].LastResult == completed
                        && gaps.All(g => g is { } gap && Math.Abs((gap - TimeSpan.FromMinutes(10)).TotalSeconds) < 1) && onCalendar,
                    $"{completed} runs completed in 35 skipped minutes; pending run was handed last result {chain.LastOrDefault().LastResult?.ToString(CultureInfo.InvariantCulture) ?? "none"}; run start times (UTC) {string.Join(", ", chain.Select(r => r.ExecutionTime?.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "?"))}");

                await cron.TerminateAsync("DurableEval: cron runs observed");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Production("schedule-calendar", "A schedule with an hourly interval reports its next action times one hour apart, paused as created"),
                Production("schedule-triggered", "Triggering the schedule twice starts two runs (NumActions, RecentActions), the second handed the first's result"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("schedule");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<CountsCalendarRunsWorkflow>());
                var action = ScheduleActionStartWorkflow.Create(
                    (CountsCalendarRunsWorkflow w) => w.RunAsync(),
                    server.Options("scheduled", queue));
                var schedule = await server.Client.CreateScheduleAsync(
                    server.NewId("schedule"),
                    new Schedule(action, new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))] }) { State = new() { Paused = true } });
                try
                {
                    var description = await schedule.DescribeAsync();
                    var next = description.Info.NextActionTimes.ToList();
                    var spacing = next.Zip(next.Skip(1), (a, b) => b - a).ToList();
                    checks.Expect(
                        "schedule-calendar",
                        description.Schedule.State.Paused && next.Count >= 2 && spacing.All(s => s == TimeSpan.FromHours(1)),
                        $"paused {description.Schedule.State.Paused}; next action times {string.Join(", ", next.Take(3).Select(t => t.ToString("u", CultureInfo.InvariantCulture)))}");

                    var results = new List<int>();
                    for (var trigger = 1; trigger <= 2; trigger++)
                    {
                        await schedule.TriggerAsync();
                        var expected = trigger;
                        await Eventually.HoldsAsync(async () => (description = await schedule.DescribeAsync()).Info.NumActions >= expected, Observe.Bound);
                        var latest = description.Info.RecentActions.LastOrDefault()?.Action as ScheduleActionExecutionStartWorkflow;
                        if (latest is not null)
                        {
                            server.Track(latest.WorkflowId);
                            results.Add(await (server.Client.GetWorkflowHandle(latest.WorkflowId) with { ResultRunId = latest.FirstExecutionRunId }).GetResultAsync<int>());
                        }
                    }

                    checks.Expect(
                        "schedule-triggered",
                        description.Info.NumActions == 2 && description.Info.RecentActions.Count == 2 && results.SequenceEqual([1, 2]),
                        $"NumActions {description.Info.NumActions}, RecentActions {description.Info.RecentActions.Count}; run results [{string.Join(", ", results)}]");
                }
                finally
                {
                    await schedule.DeleteAsync();
                }
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("WF-06")]
    public async Task WF06_QueueRateControl()
    {
        const int Cap = 2;
        const int CappedItems = 8;
        const double Rate = 4;
        const int RatedItems = 10;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("routed-to-worker", "An activity routed to a second task queue runs on the worker polling that queue (its own implementation), the other on the workflow's worker"),
                Core("concurrency-capped", $"MaxConcurrentActivities = {Cap} caps simultaneous activities at {Cap} (peak measured, and above 1 so the cap was exercised)"),
                Core("rate-capped", $"MaxActivitiesPerSecond = {Rate.ToString(CultureInfo.InvariantCulture)} spreads {RatedItems} activity starts over at least (N-1)/rate seconds (20 % slack)"),
                Edge("routing-in-history", "History records each routed activity's task queue and the identity of the worker that started it"),
            ],
            async (server, checks) =>
            {
                var mainQueue = server.NewTaskQueue("main");
                var routedQueue = server.NewTaskQueue("routed");
                var mainIdentity = server.NewId("main-worker");
                var routedIdentity = server.NewId("routed-worker");
                await using (var main = RunningWorker.Start(server.Client, new TemporalWorkerOptions(mainQueue) { Identity = mainIdentity }
                    .AddWorkflow<RoutesActivityByQueueWorkflow>()
                    .AddAllActivities(new RoutingActivities("main"))))
                await using (var routed = RunningWorker.Start(server.Client, new TemporalWorkerOptions(routedQueue) { Identity = routedIdentity }
                    .AddAllActivities(new RoutingActivities("routed"))))
                {
                    var handle = await server.Client.StartWorkflowAsync((RoutesActivityByQueueWorkflow w) => w.RunAsync(routedQueue), server.Options("route", mainQueue));
                    var results = await handle.GetResultAsync();
                    checks.Expect(
                        "routed-to-worker",
                        results.Local == $"main@{mainQueue}" && results.Routed == $"routed@{routedQueue}",
                        $"default queue call ran \"{results.Local}\"; routed call ran \"{results.Routed}\"");

                    var history = await handle.FetchHistoryAsync();
                    var queues = ActivityEvents.Scheduled(history).Select(e => e.ActivityTaskScheduledEventAttributes.TaskQueue.Name).ToList();
                    var identities = ActivityEvents.StartedIdentities(history);
                    checks.Expect(
                        "routing-in-history",
                        queues.SequenceEqual([mainQueue, routedQueue]) && identities.SequenceEqual([mainIdentity, routedIdentity]),
                        $"scheduled on [{string.Join(", ", queues.Select(q => q == mainQueue ? "main queue" : q == routedQueue ? "routed queue" : q))}], started by [{string.Join(", ", identities)}]");
                }

                // Each activity holds until one more than the cap is in flight (300 ms at most): a holding cap shows as the timeout.
                var capped = await FanOutAsync(
                    server, "capped", new FanOutInput(CappedItems), releaseAt: Cap + 1, hold: TimeSpan.FromMilliseconds(300), o => o.MaxConcurrentActivities = Cap);
                fact.Metric("capped_peak_concurrency", capped.Probe.Peak, "activities");
                checks.Expect(
                    "concurrency-capped",
                    capped.Probe.Peak == Cap && capped.Outcomes.All(o => o.Value == o.Item * o.Item),
                    $"peak {capped.Probe.Peak} in flight with the cap at {Cap} ({capped.Probe.TimedOut} of {CappedItems} holds ran out without {Cap + 1} in flight together); {capped.Outcomes.Count(o => o.Value is not null)} results in {Ms(capped.Elapsed)}");

                var free = await FanOutAsync(server, "unrated", new FanOutInput(RatedItems), releaseAt: 1, hold: TimeSpan.Zero);
                var rated = await FanOutAsync(
                    server, "rated", new FanOutInput(RatedItems), releaseAt: 1, hold: TimeSpan.Zero, o => o.MaxActivitiesPerSecond = Rate);
                var span = StartSpan(rated.Probe);
                var floor = TimeSpan.FromSeconds((RatedItems - 1) / Rate * 0.8);
                fact.Metric("activities_per_s", (RatedItems - 1) / span.TotalSeconds, "activities/s");
                fact.Metric("uncapped_activities_per_s", (RatedItems - 1) / Math.Max(StartSpan(free.Probe).TotalSeconds, 0.001), "activities/s");
                checks.Expect(
                    "rate-capped",
                    span >= floor && rated.Outcomes.All(o => o.Value == o.Item * o.Item),
                    $"{RatedItems} starts spread over {Ms(span)} at a cap of {Rate.ToString(CultureInfo.InvariantCulture)}/s (floor {Ms(floor)}); uncapped control: over {Ms(StartSpan(free.Probe))}; real-time measurement");
            });
        fact.Finding(PrioritySurface());

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Production("priority-ordering", "A backlog of activities with priority keys 5 (scheduled first) and 1 is dispatched high priority first, on average"),
                Production("task-queue-rate-limit", "MaxTaskQueueActivitiesPerSecond (enforced by the server for the whole queue) spreads activity starts over time"),
            ],
            async (server, checks) =>
            {
                int[] keys = [5, 5, 5, 5, 1, 1, 1, 1];
                var order = new PriorityActivities();
                var mainQueue = server.NewTaskQueue("priority-main");
                var backlogQueue = server.NewTaskQueue("priority-backlog");
                await using (var main = RunningWorker.Start(server.Client, new TemporalWorkerOptions(mainQueue).AddWorkflow<PriorityBacklogWorkflow>()))
                {
                    var handle = await server.Client.StartWorkflowAsync((PriorityBacklogWorkflow w) => w.RunAsync(backlogQueue, keys), server.Options("priority", mainQueue));

                    // Only once every activity waits in the backlog does a worker start, taking one at a time.
                    var backlogged = await Eventually.HoldsAsync(async () => ActivityEvents.Scheduled(await handle.FetchHistoryAsync()).Count == keys.Length, Observe.Bound);
                    await using (var backlog = RunningWorker.Start(server.Client, new TemporalWorkerOptions(backlogQueue) { MaxConcurrentActivities = 1 }.AddAllActivities(order)))
                    {
                        await handle.GetResultAsync();
                    }

                    var dispatched = order.DispatchOrder;
                    double MeanPosition(int key) => dispatched.Select((k, i) => (k, i)).Where(p => p.k == key).Select(p => (double)p.i).DefaultIfEmpty(double.NaN).Average();
                    checks.Expect(
                        "priority-ordering",
                        backlogged && dispatched.Count == keys.Length && MeanPosition(1) < MeanPosition(5),
                        $"scheduled [{string.Join(",", keys)}], dispatched [{string.Join(",", dispatched)}]; mean position key 1: {MeanPosition(1).ToString("0.##", CultureInfo.InvariantCulture)}, key 5: {MeanPosition(5).ToString("0.##", CultureInfo.InvariantCulture)}");
                }

                const double QueueRate = 2;
                const int QueueItems = 8;
                var limited = await FanOutAsync(
                    server, "queue-rated", new FanOutInput(QueueItems), releaseAt: 1, hold: TimeSpan.Zero, o => o.MaxTaskQueueActivitiesPerSecond = QueueRate);
                var span = StartSpan(limited.Probe);

                // The server's limiter may let a burst of up to one second's worth through at once.
                var floor = TimeSpan.FromSeconds((QueueItems - 1 - QueueRate) / QueueRate * 0.8);
                fact.Metric("task_queue_activities_per_s", (QueueItems - 1) / Math.Max(span.TotalSeconds, 0.001), "activities/s");
                checks.Expect(
                    "task-queue-rate-limit",
                    span >= floor && limited.Outcomes.All(o => o.Value == o.Item * o.Item),
                    $"{QueueItems} starts spread over {Ms(span)} at a queue limit of {QueueRate.ToString(CultureInfo.InvariantCulture)}/s (floor {Ms(floor)})");
            });
        fact.Conclude();
    }

    private sealed record FanOutRun(IReadOnlyList<BranchOutcome> Outcomes, ConcurrencyProbe Probe, WorkflowHandle Handle, TimeSpan Elapsed);

    /// <summary>Runs the fan-out workflow on a fresh queue and worker whose activities report to a new probe.</summary>
    private static async Task<FanOutRun> FanOutAsync(
        ServerLease server, string purpose, FanOutInput input, int releaseAt, TimeSpan hold, Action<TemporalWorkerOptions>? tune = null)
    {
        var probe = new ConcurrencyProbe(releaseAt);
        var queue = server.NewTaskQueue(purpose);
        var options = new TemporalWorkerOptions(queue)
            .AddWorkflow<FanOutCollectsEveryBranchWorkflow>()
            .AddAllActivities(new FanOutActivities(probe, hold));
        tune?.Invoke(options);
        await using var worker = RunningWorker.Start(server.Client, options);
        var clock = Stopwatch.StartNew();
        var handle = await server.Client.StartWorkflowAsync((FanOutCollectsEveryBranchWorkflow w) => w.RunAsync(input), server.Options(purpose, queue));
        var outcomes = await handle.GetResultAsync();
        return new(outcomes, probe, handle, clock.Elapsed);
    }

    /// <summary>Time from the first activity start to the last, as the activities themselves observed it.</summary>
    private static TimeSpan StartSpan(ConcurrencyProbe probe) =>
        probe.StartOffsetsMs.Count < 2 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(probe.StartOffsetsMs[^1] - probe.StartOffsetsMs[0]);

    /// <summary>What the SDK exposes for priority and fairness, read by reflection so the finding follows the SDK version.</summary>
    private static string PrioritySurface()
    {
        var assembly = typeof(Priority).Assembly.GetName();
        var fields = typeof(Priority).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => $"{p.Name} ({TypeName(p.PropertyType)})");
        var carriers = new[] { typeof(WorkflowOptions), typeof(ChildWorkflowOptions), typeof(ActivityOptions), typeof(WorkflowInfo), typeof(ActivityInfo) }
            .Where(t => t.GetProperty(nameof(WorkflowOptions.Priority))?.PropertyType == typeof(Priority))
            .Select(t => t.Name);
        var limits = typeof(TemporalWorkerOptions).GetProperties()
            .Where(p => p.Name.StartsWith("Max", StringComparison.Ordinal) && (p.Name.EndsWith("Activities", StringComparison.Ordinal) || p.Name.EndsWith("ActivitiesPerSecond", StringComparison.Ordinal)))
            .Select(p => p.Name);
        return $"Priority support in {assembly.Name} {assembly.Version}: {typeof(Priority).FullName} carries {string.Join(", ", fields)}; "
            + $"set or read through {string.Join(", ", carriers)}. Rate and concurrency controls on TemporalWorkerOptions: {string.Join(", ", limits)}. "
            + "Priority and fairness ordering and the task-queue-wide rate are enforced by the server's matching service, so they are measured only on a full server.";
    }

    private static string TypeName(Type type) => Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?" : type.Name;

    private static string Utf8(Temporalio.Api.Common.V1.Payloads payloads) =>
        string.Concat(payloads.Payloads_.Select(p => Encoding.UTF8.GetString(p.Data.Span)));

    private static Exception? Capture(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (ArgumentException e)
        {
            return e;
        }
    }

    private static string Preview(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count <= 8 ? string.Join(",", list) : $"{string.Join(",", list.Take(4))},...,{string.Join(",", list.TakeLast(2))}";
    }

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
