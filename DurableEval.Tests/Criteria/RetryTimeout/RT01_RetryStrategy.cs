using System.Diagnostics;
using System.Reflection;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.RetryTimeout;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class RetryTimeoutFacts
{
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
                fact.Finding(JitterObserved(worst));
            });

        fact.Finding(JitterFinding());
        fact.Cite(
            "A retry policy has five attributes: initial interval, backoff coefficient, maximum interval (default 100 x initial), maximum attempts (default unlimited) and non-retryable error types; the interval before retry n is initial x coefficient^(n-1), capped at the maximum.",
            "https://docs.temporal.io/encyclopedia/retry-policies");
        fact.Conclude();
    }
}
