using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class SignalsEventsFacts
{
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
            [Core("cron-runs", "A cron schedule (*/10 * * * *) starts one run at every 10-minute boundary of workflow time: 35 skipped minutes cross 3 or 4 boundaries, and as many runs complete")],
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
                if (!await checks.RequireAsync(server, ServerFeature.Schedules, Output.WriteLine))
                {
                    return;
                }

                var queue = server.NewTaskQueue("schedule");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<EventInboxWorkflow>());
                var action = ScheduleActionStartWorkflow.Create((EventInboxWorkflow w) => w.RunAsync(0), server.Options("scheduled", queue));
                var schedule = await server.Client.CreateScheduleAsync(
                    server.NewId("schedule"),
                    new Schedule(action, new ScheduleSpec()) { State = new() { Paused = true } });
                try
                {
                    // Trigger the second only after the first finished: the default overlap policy skips a trigger while a run is open.
                    await schedule.TriggerAsync(new ScheduleTriggerOptions { Overlap = ScheduleOverlapPolicy.AllowAll });
                    var firstDone = await Eventually.HoldsAsync(async () => (await CompletedScheduledRunsAsync(server.Client, schedule)) == 1, Observe.Bound);
                    // The schedule must also have seen the first run close (its running actions cleared), or the
                    // default overlap policy skips the second trigger; AllowAll keeps a stale view from dropping it.
                    await Eventually.HoldsAsync(async () => (await schedule.DescribeAsync()).Info.RunningActions.Count == 0, Observe.Bound, checks.Cancellation);
                    await schedule.TriggerAsync(new ScheduleTriggerOptions { Overlap = ScheduleOverlapPolicy.AllowAll });
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
}
