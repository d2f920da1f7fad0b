using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.RetryTimeout;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>RT — Retry &amp; Timeout: retry policies, timeouts, the circuit-breaker pattern, heartbeats.</summary>
public sealed class RetryTimeoutFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    // Backoff is skipped server time, exact to the event; a second absorbs the worker's own latency per attempt.
    private static readonly TimeSpan GapTolerance = TimeSpan.FromSeconds(1);

    // A timeout must not fire early; late by up to this much is scheduling noise on a loaded 2-core machine.
    private static readonly TimeSpan LateTolerance = TimeSpan.FromSeconds(5);

    [SkippableFact]
    [Criterion("RT-01")]
    public async Task RT01_RetryStrategy()
    {
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("succeeds-on-attempt-n", "An activity failing its first 3 attempts succeeds on attempt 4; the activity observes attempts 1, 2, 3, 4"),
                Core("backoff-follows-coefficient", "With initial interval 10 s and coefficient 2 the gaps between attempt starts are 10, 20, 40 s (±1 s)"),
                Core("backoff-capped", "With maximum interval 15 s added the gaps are 10, 15, 15 s (±1 s)"),
                Core("non-retryable-type-stops", "An error type listed in NonRetryableErrorTypes stops after exactly one attempt with retry state NonRetryableFailure"),
                Core("exhausted-reports-retry-state", "With MaximumAttempts 3 an always-failing activity runs 3 times and surfaces as ActivityFailureException with retry state MaximumAttemptsReached"),
                Edge("non-retryable-flag-stops", "A failure thrown with nonRetryable: true stops after one attempt with NonRetryableFailure, whatever the policy"),
                Edge("next-retry-delay-overrides", "nextRetryDelay 5 s on the failure overrides the policy's 10 s interval for that retry"),
            ],
            async (server, checks) =>
            {
                var journal = new AttemptJournal();
                var queue = server.NewTaskQueue("retry");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<RetriesByPolicyWorkflow>()
                    .AddAllActivities(new ScriptedFailureActivities(journal)));

                // One run at a time: each result wait unlocks time skipping for the whole server.
                async Task<RetryRun> RunAsync(string purpose, RetryPlan plan)
                {
                    var clock = Stopwatch.StartNew();
                    var handle = await server.Client.StartWorkflowAsync((RetriesByPolicyWorkflow w) => w.RunAsync(plan), server.Options(purpose, queue));
                    var (result, failure) = await OutcomeAsync(() => handle.GetResultAsync());
                    return new(result, failure, journal.For(handle.Id), clock.Elapsed);
                }

                var tenSeconds = TimeSpan.FromSeconds(10);
                var backoff = await RunAsync("backoff", new(new(SucceedOnAttempt: 4), tenSeconds));
                var attempts = backoff.Attempts.Select(a => a.Attempt).ToList();
                checks.Expect(
                    "succeeds-on-attempt-n",
                    attempts.SequenceEqual([1, 2, 3, 4]) && backoff.Result == "succeeded on attempt 4",
                    $"attempts seen by the activity [{string.Join(", ", attempts)}]; outcome: {backoff.Result ?? Observe.DescribeChain(backoff.Failure)}");
                fact.Metric("retry_wall_ms", backoff.Wall.TotalMilliseconds, "ms");
                ExpectGaps(fact, checks, "backoff-follows-coefficient", "backoff_interval", backoff, [10, 20, 40]);

                var capped = await RunAsync("capped", new(new(SucceedOnAttempt: 4), tenSeconds, MaximumInterval: TimeSpan.FromSeconds(15)));
                ExpectGaps(fact, checks, "backoff-capped", "capped_interval", capped, [10, 15, 15]);

                const string Validation = "ValidationError";
                var byType = await RunAsync("nonretryable-type", new(new(SucceedOnAttempt: 0, ErrorType: Validation), TimeSpan.FromSeconds(1), NonRetryableErrorTypes: [Validation]));
                checks.Expect(
                    "non-retryable-type-stops",
                    byType.Attempts.Count == 1 && byType.Activity?.RetryState == RetryState.NonRetryableFailure && byType.Application?.ErrorType == Validation,
                    $"{byType.Attempts.Count} attempt(s); {Observe.DescribeChain(byType.Failure)}");

                var exhausted = await RunAsync("exhausted", new(new(SucceedOnAttempt: 0), TimeSpan.FromSeconds(1), MaximumAttempts: 3));
                checks.Expect(
                    "exhausted-reports-retry-state",
                    exhausted.Attempts.Select(a => a.Attempt).SequenceEqual([1, 2, 3])
                        && exhausted.Activity?.RetryState == RetryState.MaximumAttemptsReached
                        && exhausted.Application?.ErrorType == FailureScript.Transient,
                    $"attempts [{string.Join(", ", exhausted.Attempts.Select(a => a.Attempt))}]; {Observe.DescribeChain(exhausted.Failure)}");

                var flagged = await RunAsync("nonretryable-flag", new(new(SucceedOnAttempt: 0, NonRetryable: true), TimeSpan.FromSeconds(1)));
                checks.Expect(
                    "non-retryable-flag-stops",
                    flagged.Attempts.Count == 1 && flagged.Activity?.RetryState == RetryState.NonRetryableFailure && flagged.Application?.NonRetryable == true,
                    $"{flagged.Attempts.Count} attempt(s) under an unlimited policy; {Observe.DescribeChain(flagged.Failure)}");

                var delayed = await RunAsync("next-retry-delay", new(new(SucceedOnAttempt: 2, NextRetryDelay: TimeSpan.FromSeconds(5)), tenSeconds));
                ExpectGaps(fact, checks, "next-retry-delay-overrides", "next_retry_delay_interval", delayed, [5]);

                var worst = new[] { (backoff, new double[] { 10, 20, 40 }), (capped, new double[] { 10, 15, 15 }) }
                    .SelectMany(r => r.Item1.GapsSeconds.Zip(r.Item2, (measured, expected) => Math.Abs(measured - expected)))
                    .DefaultIfEmpty(double.NaN)
                    .Max();
                fact.Finding(Invariant($"Backoff gaps deviated from initial x coefficient^n (capped) by at most {worst * 1000:0} ms: this server applied no jitter to activity retries."));
            });

        fact.Finding(JitterFinding());
        fact.Cite(
            "A retry policy has five attributes: initial interval, backoff coefficient, maximum interval (default 100 x initial), maximum attempts (default unlimited) and non-retryable error types; the interval before retry n is initial x coefficient^(n-1), capped at the maximum.",
            "https://docs.temporal.io/encyclopedia/retry-policies");
        fact.Conclude();
    }

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
                Edge("fired-on-time", "Each timeout fired no earlier than configured and at most 5 s later (server time from schedule to timeout)"),
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

                    if (run.SinceScheduled is not { } elapsed || elapsed < probe.Timeout - TimeSpan.FromMilliseconds(50) || elapsed > probe.Timeout + LateTolerance)
                    {
                        late.Add(Invariant($"{probe.Check} {run.SinceScheduled?.TotalSeconds:0.###} s for {probe.Timeout.TotalSeconds:0.#} s"));
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
                checks.Expect("fired-on-time", late.Count == 0, late.Count == 0 ? "every timeout fired within [timeout, timeout + 5 s] of server time" : "out of bounds: " + string.Join("; ", late));

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

    [SkippableFact]
    [Criterion("RT-03")]
    public async Task RT03_CircuitBreaker()
    {
        const int Threshold = 3;

        // Short so the pattern runs in seconds on any server; a time-skipping server skips it. The pattern does not
        // depend on the length: the breaker compares workflow time with it.
        var coolDown = TimeSpan.FromSeconds(1);
        const BreakerStep R = BreakerStep.Request;
        const BreakerStep W = BreakerStep.WaitCoolDown;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("opens-after-threshold", $"{Threshold} consecutive failed calls (one attempt each) open the breaker, and not before"),
                Core("open-fails-fast-without-call", "While open, requests are rejected with a non-retryable CircuitOpen error and never reach the dependency (its call log and the history's scheduled activities agree)"),
                Core("half-open-probe-closes", "After the cool-down exactly one probe goes through; its success closes the breaker and later requests reach the dependency again"),
                Core("run-fails-fast", "A run that does not handle the rejection fails at once with the non-retryable CircuitOpen error, after exactly the threshold's calls"),
                Edge("failed-probe-reopens", "A failed half-open probe re-opens the breaker for another cool-down; the next probe closes it"),
                Edge("success-resets-count", "Failures interrupted by a success do not open the breaker: only consecutive failures count"),
            ],
            async (server, checks) =>
            {
                var log = new DependencyLog();
                var queue = server.NewTaskQueue("breaker");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<CircuitBreakerWorkflow>()
                    .AddAllActivities(new DependencyActivities(log)));

                async Task<WorkflowHandle<CircuitBreakerWorkflow, IReadOnlyList<RequestOutcome>>> StartAsync(
                    string purpose, Func<int, bool> downForCall, BreakerStep[] steps, bool failWhenOpen = false)
                {
                    var options = server.Options(purpose, queue);
                    log.Script(options.Id!, downForCall);
                    return await server.Client.StartWorkflowAsync(
                        (CircuitBreakerWorkflow w) => w.RunAsync(new BreakerScenario(Threshold, coolDown, steps, failWhenOpen)), options);
                }

                var recovers = await StartAsync("recovers", call => call <= 3, [R, R, R, R, R, W, R, R]);
                var reopens = await StartAsync("reopens", call => call <= 4, [R, R, R, W, R, R, W, R, R]);
                var interrupted = await StartAsync("interrupted", call => call is 1 or 2 or 4 or 5, [R, R, R, R, R, R]);
                var failsFast = await StartAsync("fails-fast", _ => true, [R, R, R, R, R], failWhenOpen: true);

                var trace = await recovers.GetResultAsync();
                var reached = log.Requests(recovers.Id);
                var scheduled = HistoryProbe.Count(await recovers.FetchHistoryAsync(), EventType.ActivityTaskScheduled);
                checks.Expect(
                    "opens-after-threshold",
                    trace.Count == 7 && trace.Take(3).All(o => o.Outcome == CircuitBreakerWorkflow.Failed)
                        && trace[0].After == BreakerState.Closed && trace[1].After == BreakerState.Closed && trace[2].After == BreakerState.Open,
                    Describe(trace));

                var rejected = trace.Where(o => o.Outcome == CircuitBreakerWorkflow.Rejected).ToList();
                var leaked = rejected.Count(o => reached.Contains(o.Request));
                fact.Metric("rejected_requests", rejected.Count, "requests");
                fact.Metric("dependency_calls_while_open", leaked, "calls");
                checks.Expect(
                    "open-fails-fast-without-call",
                    rejected.Select(o => o.Request).SequenceEqual([4, 5])
                        && rejected.All(o => o.Before == BreakerState.Open && o.ErrorType == CircuitBreaker.OpenErrorType && o.NonRetryable)
                        && leaked == 0 && scheduled == reached.Count,
                    $"rejected requests [{string.Join(", ", rejected.Select(o => $"{o.Request}: {o.ErrorType}, non-retryable {o.NonRetryable}"))}]; requests reaching the dependency [{string.Join(", ", reached)}]; {scheduled} ActivityTaskScheduled events");

                var probe = trace.Count == 7 ? trace[5] : null;
                var openFor = probe is null ? TimeSpan.Zero : probe.At - trace[2].At;
                fact.Metric("breaker_open_s", openFor.TotalSeconds, "s");
                checks.Expect(
                    "half-open-probe-closes",
                    probe is { Request: 6, Before: BreakerState.HalfOpen, Outcome: CircuitBreakerWorkflow.Succeeded, After: BreakerState.Closed }
                        && trace[6] is { Before: BreakerState.Closed, Outcome: CircuitBreakerWorkflow.Succeeded }
                        && reached.SequenceEqual([1, 2, 3, 6, 7]) && openFor >= coolDown,
                    Invariant($"probe {Describe(probe)}; then {Describe(trace.Count == 7 ? trace[6] : null)}; reached [{string.Join(", ", reached)}]; open for {openFor.TotalSeconds:0.###} s of workflow time"));

                var (_, failure) = await OutcomeAsync(() => failsFast.GetResultAsync());
                var cause = failure?.InnerException as ApplicationFailureException;
                var failFastCalls = log.Requests(failsFast.Id);
                var failHistory = await failsFast.FetchHistoryAsync();
                var failScheduled = HistoryProbe.Count(failHistory, EventType.ActivityTaskScheduled);

                // Server time from the failure that opened the breaker to the run's own failure: no call, no wait.
                var opened = failHistory.Events.LastOrDefault(e => e.EventType == EventType.ActivityTaskFailed)?.EventTime.ToDateTime();
                if (failHistory.Events.Last().EventTime.ToDateTime() - opened is { } failFast)
                {
                    fact.Metric("fail_fast_ms", failFast.TotalMilliseconds, "ms");
                }

                checks.Expect(
                    "run-fails-fast",
                    cause is { ErrorType: CircuitBreaker.OpenErrorType, NonRetryable: true } && failFastCalls.SequenceEqual([1, 2, 3]) && failScheduled == 3,
                    $"{Observe.DescribeChain(failure)}; requests reaching the dependency [{string.Join(", ", failFastCalls)}]; {failScheduled} ActivityTaskScheduled events");

                var again = await reopens.GetResultAsync();
                var againReached = log.Requests(reopens.Id);
                checks.Expect(
                    "failed-probe-reopens",
                    again.Count == 7
                        && again[3] is { Before: BreakerState.HalfOpen, Outcome: CircuitBreakerWorkflow.Failed, After: BreakerState.Open }
                        && again[4] is { Before: BreakerState.Open, Outcome: CircuitBreakerWorkflow.Rejected }
                        && again[5] is { Before: BreakerState.HalfOpen, Outcome: CircuitBreakerWorkflow.Succeeded, After: BreakerState.Closed }
                        && againReached.SequenceEqual([1, 2, 3, 4, 6, 7]),
                    $"{Describe(again)}; reached [{string.Join(", ", againReached)}]");

                var steady = await interrupted.GetResultAsync();
                checks.Expect(
                    "success-resets-count",
                    steady.Count == 6 && steady.All(o => o.After != BreakerState.Open && o.Outcome != CircuitBreakerWorkflow.Rejected)
                        && log.Requests(interrupted.Id).Count == 6,
                    $"{Describe(steady)}; {log.Requests(interrupted.Id).Count} requests reached the dependency");
            });

        fact.Finding(CircuitBreakerFinding());
        fact.Cite(
            "Temporal's only built-in circuit breaker guards the server's own outbound calls (Nexus operations and completion callbacks: open after more than 5 consecutive failures, half-open after 60 s); activities have none, so a breaker around an activity's dependency is workflow code.",
            "https://github.com/temporalio/temporal/blob/main/docs/architecture/circuit-breaker.md");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("RT-04")]
    public async Task RT04_Heartbeat()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("offline-heartbeats-captured", "ActivityEnvironment hands the test every heartbeat, unthrottled: 5 items give heartbeats 1..5"),
                Core("offline-resume-from-details", "Given attempt 2 with heartbeat details [3], the activity resumes at item 3 and processes only items 3 and 4"),
                Core("offline-cancellation-delivered", "Cancelling from the heartbeater after 3 beats reaches the activity as CancelRequested and ends it with an OperationCanceledException"),
            ],
            async checks =>
            {
                var journal = new HeartbeatJournal();
                var activities = new CheckpointActivities(journal);

                var captured = new List<object?[]>();
                var fresh = new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { WorkflowId = "offline-fresh" }, Heartbeater = captured.Add };
                var done = await fresh.RunAsync(() => activities.ProcessBatchAsync(new BatchPlan(Items: 5, CrashAfterItems: 0)));
                var beats = captured.Select(d => d.Length == 1 ? d[0] : null).ToList();
                checks.Expect(
                    "offline-heartbeats-captured",
                    done == 5 && beats.SequenceEqual([1, 2, 3, 4, 5]),
                    $"{captured.Count} heartbeats captured with details [{string.Join(", ", beats)}]; activity returned {done}");

                var resumed = new ActivityEnvironment
                {
                    Info = ActivityEnvironment.DefaultInfo with
                    {
                        WorkflowId = "offline-resume",
                        Attempt = 2,
                        HeartbeatDetails = [DataConverter.Default.PayloadConverter.ToPayload(3)],
                    },
                };
                await resumed.RunAsync(() => activities.ProcessBatchAsync(new BatchPlan(Items: 5, CrashAfterItems: 0)));
                var items = journal.ProcessedBy("offline-resume").Select(p => p.Item).ToList();
                checks.Expect(
                    "offline-resume-from-details",
                    journal.ResumePoints("offline-resume").GetValueOrDefault(2, -1) == 3 && items.SequenceEqual([3, 4]),
                    $"attempt 2 resumed from {journal.ResumePoints("offline-resume").GetValueOrDefault(2, -1)}; processed items [{string.Join(", ", items)}]");

                // Declared first so the heartbeater can reach the environment it belongs to.
                ActivityEnvironment? cancelling = null;
                var heard = 0;
                cancelling = new ActivityEnvironment
                {
                    Info = ActivityEnvironment.DefaultInfo with { WorkflowId = "offline-cancel" },
                    Heartbeater = _ =>
                    {
                        if (++heard == 3)
                        {
                            cancelling!.Cancel();
                        }
                    },
                };
                var thrown = await Observe.FailureOfAsync(() => cancelling.RunAsync(activities.HeartbeatUntilCancelledAsync));
                var seen = journal.CancellationOf("offline-cancel");
                checks.Expect(
                    "offline-cancellation-delivered",
                    thrown is OperationCanceledException && seen is { Reason: ActivityCancelReason.CancelRequested, IsCancelRequested: true, BeatsBefore: 3 }
                        && cancelling.CancelReason == ActivityCancelReason.CancelRequested,
                    $"activity ended with {thrown?.GetType().Name ?? "no exception"}; it saw {Describe(seen)}; environment reason {cancelling.CancelReason}");
            });

        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("details-recorded", "The server holds the last heartbeat detail the crashed attempt sent (pending activity, read before the retry runs)"),
                Core("retry-resumes-from-checkpoint", "The retried attempt reads that detail and resumes there: every item processed exactly once across both attempts"),
                Core("stalled-attempt-timed-out-and-retried", "An attempt that stops heartbeating is timed out with TimeoutType.Heartbeat and retried; attempt 2 completes"),
                Core("cancellation-reaches-heartbeating-activity", "A workflow cancelling its heartbeating activity reaches it: the activity sees CancelRequested and ends cancelled; the workflow sees a CanceledFailureException"),
                Edge("stalled-attempt-details-survive", "The retry after a heartbeat timeout also receives the checkpoint heartbeated before the stall"),
            ],
            async (server, checks) =>
            {
                var journal = new HeartbeatJournal();
                var queue = server.NewTaskQueue("heartbeat");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ResumesFromCheckpointWorkflow>()
                    .AddWorkflow<StalledAttemptRetriedWorkflow>()
                    .AddWorkflow<CancelsHeartbeatingActivityWorkflow>()
                    .AddAllActivities(new CheckpointActivities(journal)));

                var plan = new BatchPlan(Items: 8, CrashAfterItems: 5);
                var batch = await server.Client.StartWorkflowAsync((ResumesFromCheckpointWorkflow w) => w.RunAsync(plan), server.Options("resume", queue));
                var pending = await PendingRetryAsync(server, batch);
                int? recorded = pending?.HeartbeatDetails?.Payloads_.Count > 0
                    ? DataConverter.Default.PayloadConverter.ToValue<int>(pending.HeartbeatDetails.Payloads_[0])
                    : null;
                var sent = journal.BeatsOf(batch.Id).Where(b => b.Attempt == 1).Select(b => (int)b.Detail).ToList();
                checks.Expect(
                    "details-recorded",
                    recorded is not null && sent.Count > 0 && recorded == sent[^1],
                    $"pending retry (attempt {pending?.Attempt.ToString(CultureInfo.InvariantCulture) ?? "none seen"}) holds heartbeat detail {recorded?.ToString(CultureInfo.InvariantCulture) ?? "none"}; attempt 1 sent [{string.Join(", ", sent)}] before crashing");

                var processed = await batch.GetResultAsync();
                var resumedAt = journal.ResumePoints(batch.Id).GetValueOrDefault(2, -1);
                var byItem = journal.ProcessedBy(batch.Id).GroupBy(p => p.Item).ToDictionary(g => g.Key, g => g.Count());
                checks.Expect(
                    "retry-resumes-from-checkpoint",
                    processed == plan.Items && resumedAt == recorded && byItem.Count == plan.Items && byItem.Values.All(n => n == 1),
                    $"attempt 2 resumed at item {resumedAt}; items processed by attempt: {string.Join(" ", journal.ProcessedBy(batch.Id).Select(p => $"{p.Item}@{p.Attempt}"))}; result {processed}");

                var clock = Stopwatch.StartNew();
                var stalled = await server.Client.StartWorkflowAsync((StalledAttemptRetriedWorkflow w) => w.RunAsync(), server.Options("stall", queue));
                var stalledPending = await PendingRetryAsync(server, stalled);
                fact.Metric("heartbeat_timeout_detected_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var timeoutTypes = TimeoutTypes(stalledPending?.LastFailure);
                var stalledResult = await stalled.GetResultAsync();
                checks.Expect(
                    "stalled-attempt-timed-out-and-retried",
                    timeoutTypes.Contains(TimeoutType.Heartbeat) && stalledResult.StartsWith("attempt 2 ", StringComparison.Ordinal),
                    $"pending retry (attempt {stalledPending?.Attempt.ToString(CultureInfo.InvariantCulture) ?? "none seen"}) records its last failure as a timeout of type [{string.Join(" > ", timeoutTypes)}]; final result \"{stalledResult}\"");
                checks.Expect(
                    "stalled-attempt-details-survive",
                    stalledResult == $"attempt 2 resumed from {StalledAttemptRetriedWorkflow.Checkpoint}",
                    $"attempt 2 reported \"{stalledResult}\"; attempt 1 heartbeated \"{StalledAttemptRetriedWorkflow.Checkpoint}\"");

                var cancelling = await server.Client.StartWorkflowAsync((CancelsHeartbeatingActivityWorkflow w) => w.RunAsync(), server.Options("cancel", queue));
                var beating = await Eventually.HoldsAsync(() => Task.FromResult(journal.BeatsOf(cancelling.Id).Count >= 2), Observe.Bound);
                var requestedAt = DateTime.UtcNow;
                await cancelling.SignalAsync(w => w.CancelActivityAsync());
                var outcome = await cancelling.GetResultAsync();
                var seen = journal.CancellationOf(cancelling.Id);
                if (seen is not null)
                {
                    fact.Metric("cancel_delivery_ms", (seen.ObservedAt - requestedAt).TotalMilliseconds, "ms");
                }

                checks.Expect(
                    "cancellation-reaches-heartbeating-activity",
                    beating && seen is { Reason: ActivityCancelReason.CancelRequested, IsCancelRequested: true } && outcome.Cause == nameof(CanceledFailureException),
                    $"activity heartbeating: {beating}; it saw {Describe(seen)}; workflow saw {outcome.Outcome} ({outcome.Cause ?? "no cause"})");
            });

        fact.Cite(
            "Heartbeats are throttled to 80% of the heartbeat timeout (30 s by default when none is set), so the server sees only some heartbeat details; heartbeats are also how an activity receives cancellation.",
            "https://dotnet.temporal.io/api/Temporalio.Worker.TemporalWorkerOptions.html#Temporalio_Worker_TemporalWorkerOptions_DefaultHeartbeatThrottleInterval");
        fact.Conclude();
    }

    /// <summary>What one retry run showed: its outcome and the attempts the activity journaled.</summary>
    private sealed record RetryRun(string? Result, WorkflowFailedException? Failure, IReadOnlyList<AttemptRecord> Attempts, TimeSpan Wall)
    {
        public IReadOnlyList<double> GapsSeconds =>
            Attempts.Zip(Attempts.Skip(1), (a, b) => (b.StartedTime - a.StartedTime).TotalSeconds).ToList();

        public ActivityFailureException? Activity => Failure?.InnerException as ActivityFailureException;

        public ApplicationFailureException? Application => Activity?.InnerException as ApplicationFailureException;
    }

    /// <summary>How a workflow run into its timeout ended, with server-time elapsed from start to close.</summary>
    private sealed record TimedOutRun(WorkflowExecutionStatus Status, WorkflowFailedException? Failure, EventType LastEvent, TimeSpan ServerElapsed, bool TimerFired)
    {
        public TimeoutType? TimeoutType => (Failure?.InnerException as TimeoutFailureException)?.TimeoutType;
    }

    /// <summary>How an activity timeout probe ended, with server time from scheduling (and from the last start) to the timeout.</summary>
    private sealed record ActivityTimeoutRun(
        string? Result, WorkflowFailedException? Failure, IReadOnlyList<TimeoutFailureException> Timeouts, TimeSpan? SinceScheduled, TimeSpan? SinceLastStart)
    {
        public TimeoutType? Innermost => Timeouts.LastOrDefault()?.TimeoutType;
    }

    /// <summary>
    /// Times a probe from the history's scheduled and timed-out events; the last attempt's start comes from the
    /// activity itself, because a timed-out activity's history may have no started event (the test server writes none).
    /// </summary>
    private static async Task<ActivityTimeoutRun> ObserveTimeoutAsync(WorkflowHandle<ActivityTimesOutWorkflow, string> handle, AttemptJournal journal)
    {
        var (result, failure) = await OutcomeAsync(() => handle.GetResultAsync());
        var history = await handle.FetchHistoryAsync();
        DateTime? TimeOf(EventType type) => history.Events.LastOrDefault(e => e.EventType == type)?.EventTime.ToDateTime();
        var timedOut = TimeOf(EventType.ActivityTaskTimedOut);
        var lastStart = journal.For(handle.Id).LastOrDefault()?.StartedTime;
        return new(
            result,
            failure,
            Observe.Chain(failure).OfType<TimeoutFailureException>().ToList(),
            timedOut - TimeOf(EventType.ActivityTaskScheduled),
            timedOut - lastStart);
    }

    /// <summary>Where a schedule-to-close budget was enforced: at its end (as documented), or only at the hung retry's own deadline.</summary>
    private static string ScheduleToCloseFinding(TimeSpan budget, ActivityTimeoutRun run)
    {
        if (run.SinceScheduled is not { } used || run.SinceLastStart is not { } retryRan)
        {
            return "Schedule-to-close: no timeout event to time.";
        }

        var lateBy = used - budget;
        var atRetryDeadline = (retryRan - budget).Duration() < TimeSpan.FromMilliseconds(250);
        var verdict = lateBy <= TimeSpan.FromMilliseconds(100) ? "at the end of the budget."
            : atRetryDeadline ? Invariant($"{lateBy.TotalSeconds:0.###} s past the budget, exactly when the retry's own start-to-close (trimmed to the budget) expired.")
            : Invariant($"{lateBy.TotalSeconds:0.###} s past the budget.");
        return Invariant($"Schedule-to-close ({budget.TotalSeconds:0} s budget; a fast failure, then a hung retry) fired {used.TotalSeconds:0.###} s after scheduling, {retryRan.TotalSeconds:0.###} s after the retry started: ") + verdict;
    }

    private static void ExpectGaps(FactRecorder fact, CheckScope checks, string id, string metric, RetryRun run, IReadOnlyList<double> expected)
    {
        var gaps = run.GapsSeconds;
        for (var i = 0; i < gaps.Count; i++)
        {
            fact.Metric($"{metric}_{i + 1}_s", gaps[i], "s");
        }

        checks.Expect(
            id,
            run.Result is not null && gaps.Count == expected.Count && gaps.Zip(expected).All(g => Math.Abs(g.First - g.Second) <= GapTolerance.TotalSeconds),
            Invariant($"gaps between attempt starts [{string.Join(", ", gaps.Select(g => g.ToString("0.###", CultureInfo.InvariantCulture)))}] s, expected [{string.Join(", ", expected)}] s ±{GapTolerance.TotalSeconds:0} s; outcome: {run.Result ?? Observe.DescribeChain(run.Failure)}"));
    }

    private static async Task<TimedOutRun> RunIntoTimeoutAsync(ServerLease server, WorkflowOptions options)
    {
        var handle = await server.Client.StartWorkflowAsync((OutlivesItsTimeoutWorkflow w) => w.RunAsync(TimeSpan.FromDays(1)), options);
        var (_, failure) = await OutcomeAsync(() => handle.GetResultAsync());
        var status = (await handle.DescribeAsync()).Status;
        var history = await handle.FetchHistoryAsync();
        var last = history.Events.Last();
        return new(
            status,
            failure,
            last.EventType,
            last.EventTime.ToDateTime() - history.Events.First().EventTime.ToDateTime(),
            HistoryProbe.Count(history, EventType.TimerFired) > 0);
    }

    private static void ExpectTimedOut(CheckScope checks, string id, TimedOutRun run) =>
        checks.Expect(
            id,
            run.Status == WorkflowExecutionStatus.TimedOut && run.Failure?.InnerException is TimeoutFailureException && run.LastEvent == EventType.WorkflowExecutionTimedOut,
            Invariant($"status {run.Status}; last event {run.LastEvent}; result: {Observe.DescribeChain(run.Failure)}; after {run.ServerElapsed.TotalHours:0.###} h of server time"));

    /// <summary>
    /// Polls the server's description of the run until its activity waits for a second attempt; null if it never
    /// does. Raw RPC, because the SDK's WorkflowExecutionDescription keeps the pending activities internal.
    /// </summary>
    private static async Task<PendingActivityInfo?> PendingRetryAsync(ServerLease server, WorkflowHandle handle)
    {
        PendingActivityInfo? pending = null;
        var request = new DescribeWorkflowExecutionRequest
        {
            Namespace = server.Client.Options.Namespace,
            Execution = new() { WorkflowId = handle.Id },
        };
        var seen = await Eventually.HoldsAsync(
            async () =>
            {
                pending = (await server.Client.WorkflowService.DescribeWorkflowExecutionAsync(request)).PendingActivities.FirstOrDefault();
                return pending is { Attempt: >= 2 };
            },
            Observe.Bound);
        return seen ? pending : null;
    }

    private static List<TimeoutType> TimeoutTypes(Temporalio.Api.Failure.V1.Failure? failure)
    {
        var types = new List<TimeoutType>();
        for (var f = failure; f is not null; f = f.Cause)
        {
            if (f.TimeoutFailureInfo is { } info)
            {
                types.Add(info.TimeoutType);
            }
        }

        return types;
    }

    /// <summary>Retry jitter, looked for in the SDK's public surface rather than asserted from memory.</summary>
    private static string JitterFinding()
    {
        var knobs = typeof(RetryPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();
        var wire = typeof(Temporalio.Api.Common.V1.RetryPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType == typeof(Temporalio.Api.Common.V1.RetryPolicy)).Select(p => p.Name).ToList();
        var jitterOwners = PublicMembersNamed("jitter");
        var onRetry = knobs.Concat(wire).Any(n => n.Contains("jitter", StringComparison.OrdinalIgnoreCase));
        return $"Jitter is {(onRetry ? string.Empty : "not ")}configurable for retries: Temporalio.Common.RetryPolicy exposes {string.Join(", ", knobs)} "
            + $"and the wire RetryPolicy {string.Join(", ", wire)}. Public members named for jitter exist only on: {string.Join(", ", jitterOwners)}.";
    }

    /// <summary>A built-in breaker, looked for in the option types that would configure one.</summary>
    private static string CircuitBreakerFinding()
    {
        var optionTypes = new[] { typeof(ActivityOptions), typeof(RetryPolicy), typeof(TemporalWorkerOptions) };
        var properties = optionTypes.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)).ToList();
        var named = properties.Where(p => p.Name.Contains("circuit", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("breaker", StringComparison.OrdinalIgnoreCase)).ToList();
        var elsewhere = PublicMembersNamed("circuitbreaker");
        return $"No built-in breaker for activities: ActivityOptions, RetryPolicy and TemporalWorkerOptions have {properties.Count} public properties, "
            + $"{(named.Count == 0 ? "none" : string.Join(", ", named.Select(p => p.Name)))} named for a circuit breaker. "
            + $"Breaker-named public members exist only on: {(elsewhere.Count == 0 ? "none" : string.Join(", ", elsewhere))}.";
    }

    /// <summary>The SDK's public properties and fields (enum values included) whose name contains the text, as Type.Member.</summary>
    private static List<string> PublicMembersNamed(string text) =>
        typeof(RetryPolicy).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.MemberType is MemberTypes.Property or MemberTypes.Field
                    && m.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                    && !m.Name.EndsWith("FieldNumber", StringComparison.Ordinal))
                .Select(m => $"{t.FullName!.Replace("Temporalio.", string.Empty, StringComparison.Ordinal)}.{m.Name}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static async Task<(T? Result, WorkflowFailedException? Failure)> OutcomeAsync<T>(Func<Task<T>> result)
        where T : class
    {
        try
        {
            return (await result(), null);
        }
        catch (WorkflowFailedException e)
        {
            return (null, e);
        }
    }

    private static string Describe(RequestOutcome? o) =>
        o is null ? "missing" : $"#{o.Request} {o.Before}->{o.Outcome}->{o.After}{(o.ErrorType is null ? string.Empty : $" ({o.ErrorType})")}";

    private static string Describe(IReadOnlyList<RequestOutcome> trace) => string.Join("; ", trace.Select(o => Describe(o)));

    private static string Describe(CancellationSeen? seen) =>
        seen is null ? "no cancellation" : $"reason {seen.Reason}, cancel requested {seen.IsCancelRequested}, threw {seen.ThrownType} after {seen.BeatsBefore} beats";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
