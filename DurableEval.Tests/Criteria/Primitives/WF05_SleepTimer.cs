using System.Diagnostics;
using System.Globalization;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
    [SkippableFact]
    [Criterion("WF-05")]
    public async Task WF05_SleepTimer()
    {
        var thirtyDays = TimeSpan.FromDays(30);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("thirty-day-sleep", $"A 30-day durable sleep completes in seconds of wall time, the workflow waking at its start + 30 days of workflow time (no earlier, at most {TimerWake.Tolerance.TotalSeconds:0} s later)"),
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
                    TimerWake.OnTime(moved, thirtyDays) && timer == thirtyDays && HistoryProbe.Count(sleepHistory, EventType.TimerFired) == 1 && wall < TimeSpan.FromSeconds(15),
                    $"workflow time moved {moved.TotalDays.ToString("0.###", CultureInfo.InvariantCulture)} days ({TimerWake.Describe(moved, thirtyDays)}) in {wall.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s of wall time; TimerStarted for {timer?.TotalDays.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"} days, {HistoryProbe.Count(sleepHistory, EventType.TimerFired)} TimerFired");

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
            [Core("cron-runs", "A cron schedule (*/10 * * * *) starts runs on the calendar: runs 10 minutes apart, each handed the previous run's result")],
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
                // The first run's start also carries the real time between the client's start call and the server's
                // first backoff (measured 1.2-1.6 s on a loaded machine), so it is allowed 3 s past its boundary and
                // the spacing is judged from the second run on; every later run must sit on the calendar.
                var gaps = chain.Skip(1).Zip(chain.Skip(2), (a, b) => b.ExecutionTime - a.ExecutionTime).ToList();
                var firstOffset = chain[0].ExecutionTime is { } first ? first - new DateTime(first.Year, first.Month, first.Day, first.Hour, first.Minute / 10 * 10, 0, first.Kind) : (TimeSpan?)null;
                fact.Metric("cron_first_run_offset_ms", firstOffset?.TotalMilliseconds ?? double.NaN, "ms");
                var onCalendar = firstOffset is { } offset && offset < TimeSpan.FromSeconds(3)
                    && chain.Skip(1).All(r => r.ExecutionTime is { Second: 0 } t && t.Minute % 10 == 0);
                checks.Expect(
                    "cron-runs",
                    completed >= 3 && chain[0].RunId == cron.FirstExecutionRunId && chain[^1].LastResult == completed
                        && gaps.Count >= 2 && gaps.All(g => g is { } gap && Math.Abs((gap - TimeSpan.FromMinutes(10)).TotalSeconds) < 1) && onCalendar,
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
                if (!await checks.RequireAsync(server, ServerFeature.Schedules, Output.WriteLine))
                {
                    return;
                }

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
                        // The second trigger only after the schedule saw the first run close: a trigger while the
                        // schedule still counts a running action is skipped by the default overlap policy. AllowAll
                        // on the trigger keeps a stale running-action view from dropping it.
                        await Eventually.HoldsAsync(async () => (await schedule.DescribeAsync()).Info.RunningActions.Count == 0, Observe.Bound, checks.Cancellation);
                        await schedule.TriggerAsync(new ScheduleTriggerOptions { Overlap = ScheduleOverlapPolicy.AllowAll });
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
}
