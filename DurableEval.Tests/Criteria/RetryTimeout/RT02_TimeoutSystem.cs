using System.Diagnostics;
using System.Reflection;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.RetryTimeout;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class RetryTimeoutFacts
{
    [SkippableFact]
    [Criterion("RT-02")]
    public async Task RT02_TimeoutSystem()
    {
        var fact = Begin();
        var activityTimeouts = new (string Check, ActivityTimeoutKind Kind, TimeoutType Expected, TimeSpan Timeout)[]
        {
            ("schedule-to-close", ActivityTimeoutKind.ScheduleToClose, TimeoutType.ScheduleToClose, TimeSpan.FromSeconds(2)),
            ("start-to-close", ActivityTimeoutKind.StartToClose, TimeoutType.StartToClose, TimeSpan.FromSeconds(1)),
            ("schedule-to-start", ActivityTimeoutKind.ScheduleToStart, TimeoutType.ScheduleToStart, TimeSpan.FromSeconds(1)),
            ("heartbeat", ActivityTimeoutKind.Heartbeat, TimeoutType.Heartbeat, TimeSpan.FromSeconds(1)),
        };

        // Activity timeouts run in real time on every server (a time-skipping server locks its clock while an
        // activity is pending), so they are kept to 1-2 s and need no time skipping.
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("schedule-to-close", "A budget of 2 s spanning a failed attempt and a hung retry ends in TimeoutFailureException of type ScheduleToClose"),
                Core("start-to-close", "An attempt hung past its 1 s start-to-close timeout ends in TimeoutFailureException of type StartToClose"),
                Core("schedule-to-start", "An activity no worker picks up within 1 s ends in TimeoutFailureException of type ScheduleToStart"),
                Core("heartbeat", "An activity that stops heartbeating for longer than its 1 s heartbeat timeout ends in TimeoutFailureException of type Heartbeat"),
                Edge("fired-on-time", "Each timeout fired no earlier than configured and at most 0.5 s later (1.5 s for heartbeat and schedule-to-close; server time from schedule to timeout)"),
                Edge("heartbeat-timeout-carries-details", "The heartbeat timeout failure carries the last heartbeat details the activity sent"),
            ],
            async (server, checks) =>
            {
                var journal = new AttemptJournal();
                var queue = server.NewTaskQueue("timeouts");

                // An activity queue only: no workflow is ever started on it (that would freeze time skipping).
                var unpolled = server.NewTaskQueue("unpolled");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ActivityTimesOutWorkflow>()
                    .AddAllActivities(new StallingActivities(journal)));

                // Started together so the real-time timeouts overlap; results are awaited one at a time.
                var clock = Stopwatch.StartNew();
                var handles = new List<WorkflowHandle<ActivityTimesOutWorkflow, string>>();
                foreach (var probe in activityTimeouts)
                {
                    handles.Add(await server.Client.StartWorkflowAsync(
                        (ActivityTimesOutWorkflow w) => w.RunAsync(new TimeoutProbe(probe.Kind, probe.Timeout, unpolled)),
                        server.Options(probe.Check, queue)));
                }

                var late = new List<string>();
                TimeoutFailureException? heartbeatTimeout = null;
                foreach (var (probe, handle) in activityTimeouts.Zip(handles))
                {
                    var run = await ObserveTimeoutAsync(handle, journal);
                    checks.Expect(
                        probe.Check,
                        run.Failure?.InnerException is ActivityFailureException && run.Innermost == probe.Expected,
                        $"{(run.Result is null ? Observe.DescribeChain(run.Failure) : "completed: " + run.Result)}; innermost timeout type {run.Innermost?.ToString() ?? "none"}");
                    if (run.SinceScheduled is { } fired)
                    {
                        fact.Metric($"{probe.Check.Replace('-', '_')}_timeout_s", fired.TotalSeconds, "s");
                    }

                    if (run.SinceScheduled is not { } elapsed || elapsed < probe.Timeout - TimeSpan.FromMilliseconds(50) || elapsed > probe.Timeout + LateToleranceFor(probe.Kind))
                    {
                        late.Add(Invariant($"{probe.Check} {run.SinceScheduled?.TotalSeconds:0.###} s for {probe.Timeout.TotalSeconds:0.#} s (allowed +{LateToleranceFor(probe.Kind).TotalSeconds:0.#} s)"));
                    }

                    if (probe.Kind == ActivityTimeoutKind.ScheduleToClose)
                    {
                        fact.Finding(ScheduleToCloseFinding(probe.Timeout, run));
                        if (server.Kind == ServerKind.TimeSkipping)
                        {
                            fact.Cite(
                                "The Java time-skipping test server binds an activity's schedule-to-close timer to the attempt that set it and ignores it once a retry has started (\"Outdated timer\"); after a retry the budget is enforced when the running attempt's start-to-close (trimmed to the budget) expires, still reported as ScheduleToClose.",
                                "https://github.com/temporalio/sdk-java/blob/v1.38.0/temporal-test-server/src/main/java/io/temporal/internal/testservice/TestWorkflowMutableStateImpl.java");
                        }
                    }

                    if (probe.Kind == ActivityTimeoutKind.Heartbeat)
                    {
                        heartbeatTimeout = run.Timeouts.FirstOrDefault(t => t.LastHeartbeatDetails is { Count: > 0 });
                        fact.Finding($"Heartbeat timeout chain: {string.Join(" > ", run.Timeouts.Select(t => t.TimeoutType))} (the innermost failure is the cause).");
                    }
                }

                fact.Metric("activity_timeouts_wall_ms", clock.Elapsed.TotalMilliseconds, "ms");
                checks.Expect("fired-on-time", late.Count == 0, late.Count == 0 ? "every timeout fired within [timeout, timeout + 0.5 s] (start-to-close, schedule-to-start) or + 1.5 s (heartbeat, schedule-to-close) of server time" : "out of bounds: " + string.Join("; ", late));

                var details = heartbeatTimeout?.LastHeartbeatDetails is { Count: > 0 } d ? d.ElementAt<string>(0) : null;
                checks.Expect(
                    "heartbeat-timeout-carries-details",
                    details == ActivityTimesOutWorkflow.Checkpoint,
                    $"last heartbeat details on the timeout failure: {details ?? "none"}; the activity sent \"{ActivityTimesOutWorkflow.Checkpoint}\"");
            });

        // Workflow timeouts are workflow timers, which a time-skipping server skips: hours cost milliseconds.
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("execution-timeout-ends-run", "A workflow past its 2 h execution timeout ends TimedOut: described TimedOut, result throws WorkflowFailedException with a TimeoutFailureException"),
                Core("run-timeout-ends-run", "A workflow past its 3 h run timeout (execution timeout 2 days) ends TimedOut the same way"),
                Edge("workflow-timeouts-on-time", "Each workflow timed out at its own configured timeout (±60 s of server time), before its 1-day timer fired"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("wftimeouts");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<OutlivesItsTimeoutWorkflow>());
                var clock = Stopwatch.StartNew();

                var executionTimeout = TimeSpan.FromHours(2);
                var execution = await RunIntoTimeoutAsync(server, server.Options("execution-timeout", queue, executionTimeout));
                ExpectTimedOut(checks, "execution-timeout-ends-run", execution);

                var runTimeout = TimeSpan.FromHours(3);
                var runOptions = server.Options("run-timeout", queue, TimeSpan.FromDays(2));
                runOptions.RunTimeout = runTimeout;
                var run = await RunIntoTimeoutAsync(server, runOptions);
                ExpectTimedOut(checks, "run-timeout-ends-run", run);

                fact.Metric("execution_timeout_server_s", execution.ServerElapsed.TotalSeconds, "s");
                fact.Metric("run_timeout_server_s", run.ServerElapsed.TotalSeconds, "s");
                fact.Metric("workflow_timeouts_wall_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var tolerance = TimeSpan.FromSeconds(60);
                checks.Expect(
                    "workflow-timeouts-on-time",
                    (execution.ServerElapsed - executionTimeout).Duration() <= tolerance && (run.ServerElapsed - runTimeout).Duration() <= tolerance && !execution.TimerFired && !run.TimerFired,
                    Invariant($"execution timeout after {execution.ServerElapsed.TotalHours:0.###} h (configured 2 h), run timeout after {run.ServerElapsed.TotalHours:0.###} h (configured 3 h) of server time; timers fired: {execution.TimerFired}/{run.TimerFired}"));
                fact.Finding(
                    $"Observed TimeoutType for a workflow execution timeout: {execution.TimeoutType?.ToString() ?? "none"}; for a run timeout: {run.TimeoutType?.ToString() ?? "none"}. "
                    + "The history's WorkflowExecutionTimedOut event carries no timeout type, so the type cannot tell the two apart; only the timing can.");
            });
        fact.Cite(
            "The .NET client builds the TimeoutFailureException for a timed-out workflow itself, always with TimeoutType.StartToClose, because WorkflowExecutionTimedOut carries only a retry state and a new run id.",
            "https://github.com/temporalio/sdk-dotnet/blob/main/src/Temporalio/Client/WorkflowHandle.cs");
        fact.Cite(
            "Activity timeouts: schedule-to-close bounds the whole execution across retries, start-to-close one attempt, schedule-to-start the wait in the task queue (not retried), heartbeat the gap between heartbeats.",
            "https://docs.temporal.io/encyclopedia/detecting-activity-failures");
        fact.Conclude();
    }
}
