using System.Globalization;
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
                // No workflow cache: every workflow task rebuilds the breaker's state by replaying the history, so
                // "state kept in the workflow" is exercised by replay, not by an object held in memory.
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
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
}
