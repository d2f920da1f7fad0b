using System.Globalization;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Xunit;
using static DurableEval.Tests.Criteria.Agents.AgentScripts;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-06")]
    public async Task AI06_ToolFaultTolerance()
    {
        const string Sku = "SKU-1";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("flaky-retried-to-success", $"A tool that fails {AgentToolbox.FlakyFailures} times is retried by its own policy and succeeds on attempt {AgentToolbox.FlakyFailures + 1}; the agent sees only the success"),
                Core("hung-tool-fallback", $"A hung tool times out after its {ToolPolicies.HungToolTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s StartToClose (one attempt) and the agent runs its fallback tool instead"),
                Core("non-retryable-observed", $"A non-retryable tool error runs once (the policy allows {ToolPolicies.MaxAttempts}) and reaches the model as an observation; the loop continues"),
                Core("final-answer", "The agent finishes with an answer built from all three observations, after exactly two model requests"),
                Edge("per-tool-policy-recorded", $"Each tool's own options reach the server: history schedules the hung tool with its {ToolPolicies.HungToolTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s StartToClose and 1 attempt and the flaky tool with {ToolPolicies.MaxAttempts} attempts, and records the hung tool's timeout as StartToClose"),
            ],
            async (server, checks) =>
            {
                await using var host = AgentHost.Start(ProposeThenAnswer(
                [
                    Call("inv", AgentToolbox.FlakyInventory, $"{{\"sku\":\"{Sku}\"}}"),
                    Call("price", AgentToolbox.SlowPricing, $"{{\"sku\":\"{Sku}\"}}"),
                    Call("date", AgentToolbox.ParseDate, "{\"text\":\"next blue moon\"}"),
                ]));
                var queue = server.NewTaskQueue("tools");
                await using var worker = RunningWorker.Start(server.Client, host.Worker(queue).AddWorkflow<DurableAgentWorkflow>());
                var request = Request(
                    "How many SKU-1 are in stock, what do they cost, and what day is 'next blue moon'?",
                    [AgentToolbox.FlakyInventory, AgentToolbox.SlowPricing, AgentToolbox.ParseDate]);
                var handle = await server.Client.StartWorkflowAsync((DurableAgentWorkflow w) => w.RunAsync(request), server.Options("tools", queue));
                // Auto-skipping off (see AI-02): the retry backoffs (1 s, 2 s) then run in real time, a few seconds in all.
                var outcome = await server.Environment.WithAutoTimeSkippingDisabledAsync(() => handle.GetResultAsync());
                var history = await handle.FetchHistoryAsync();
                var journal = host.Journal;
                string Observed(string tool) => outcome.Observations.FirstOrDefault(o => o.Tool == tool)?.Observation ?? "(none)";

                var flaky = journal.For(handle.Id, AgentToolbox.FlakyInventory);
                var flakyStarted = StartedAttempt(history, AgentToolbox.FlakyInventory);
                checks.Expect(
                    "flaky-retried-to-success",
                    flaky.Select(a => a.Attempt).SequenceEqual(Enumerable.Range(1, AgentToolbox.FlakyFailures + 1)) && flakyStarted == AgentToolbox.FlakyFailures + 1
                        && ActivityEvents.Lifecycle(history, AgentToolbox.FlakyInventory) is { Scheduled: 1, Completed: 1 } && Observed(AgentToolbox.FlakyInventory) == AgentToolbox.InStock(Sku),
                    $"attempts run [{string.Join(",", flaky.Select(a => a.Attempt))}]; history: {ActivityEvents.Lifecycle(history, AgentToolbox.FlakyInventory)}, completed on attempt {flakyStarted}; agent saw '{Observed(AgentToolbox.FlakyInventory)}'");
                fact.Metric("flaky_tool_attempts", flaky.Count, "attempts");

                var hung = journal.For(handle.Id, AgentToolbox.SlowPricing);
                var fallback = journal.For(handle.Id, AgentToolbox.CachedPricing);
                var timedOut = TimedOut(history, AgentToolbox.SlowPricing);
                var toFallback = hung.Count == 1 && fallback.Count == 1 ? fallback[0].StartedTime - hung[0].StartedTime : (TimeSpan?)null;
                if (toFallback is { } t)
                {
                    fact.Metric("hung_tool_to_fallback_s", t.TotalSeconds, "s");
                }

                checks.Expect(
                    "hung-tool-fallback",
                    hung.Count == 1 && timedOut == 1 && fallback.Count == 1 && toFallback >= ToolPolicies.HungToolTimeout && toFallback < ToolPolicies.HungToolTimeout + TimeSpan.FromSeconds(2)
                        && Observed(AgentToolbox.SlowPricing) == AgentToolbox.CachedPrice(Sku),
                    $"hung tool: {hung.Count} attempt(s), {timedOut} ActivityTaskTimedOut; fallback ran {fallback.Count} time(s), started {toFallback?.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) ?? "never"} s after the hung tool; agent saw '{Observed(AgentToolbox.SlowPricing)}'");

                var bad = journal.For(handle.Id, AgentToolbox.ParseDate);
                var badFailure = FailureOf(history, AgentToolbox.ParseDate);
                var lastRequest = host.Endpoint.Seen.OrderBy(r => r.Index).LastOrDefault();
                var fedBack = lastRequest?.ToolResults.Any(r => r.ToolCallId == "date" && r.Content.StartsWith("error (InvalidArguments)", StringComparison.Ordinal)) ?? false;
                checks.Expect(
                    "non-retryable-observed",
                    bad.Count == 1 && badFailure is { NonRetryable: true, Type: "InvalidArguments" } && Observed(AgentToolbox.ParseDate).StartsWith("error (InvalidArguments)", StringComparison.Ordinal) && fedBack && outcome.Turns == 2,
                    $"{bad.Count} attempt(s); history failure {badFailure?.Type ?? "none"} non-retryable {badFailure?.NonRetryable}; agent saw '{Observed(AgentToolbox.ParseDate)}'; fed back to the model in request {lastRequest?.Index}: {fedBack}; turns {outcome.Turns}");

                // Next level: the per-tool options are what the server enforced, not only what the workflow asked for.
                var hungScheduled = ActivityEvents.Scheduled(history, AgentToolbox.SlowPricing).FirstOrDefault()?.ActivityTaskScheduledEventAttributes;
                var flakyScheduled = ActivityEvents.Scheduled(history, AgentToolbox.FlakyInventory).FirstOrDefault()?.ActivityTaskScheduledEventAttributes;
                var timeoutType = TimeoutTypeOf(history, AgentToolbox.SlowPricing);
                var hungTimeout = hungScheduled?.StartToCloseTimeout?.ToTimeSpan();
                checks.Expect(
                    "per-tool-policy-recorded",
                    hungTimeout == ToolPolicies.HungToolTimeout && hungScheduled?.RetryPolicy?.MaximumAttempts == 1
                        && flakyScheduled?.RetryPolicy?.MaximumAttempts == ToolPolicies.MaxAttempts && timeoutType == TimeoutType.StartToClose,
                    $"hung tool scheduled with StartToClose {hungTimeout?.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) ?? "none"} s, max attempts {hungScheduled?.RetryPolicy?.MaximumAttempts.ToString(CultureInfo.InvariantCulture) ?? "none"}; " +
                    $"flaky tool max attempts {flakyScheduled?.RetryPolicy?.MaximumAttempts.ToString(CultureInfo.InvariantCulture) ?? "none"}; hung tool timed out as {timeoutType?.ToString() ?? "nothing"}");

                var expected = FinalAnswer(outcome.Observations.Select(o => o.Observation));
                checks.Expect(
                    "final-answer",
                    outcome.Finished && outcome.Answer == expected && host.Endpoint.Requests == 2 && outcome.Observations.Count == 3,
                    $"finished {outcome.Finished} in {outcome.Turns} turns, {host.Endpoint.Requests} model requests; answer '{outcome.Answer}'");
            });
        fact.Cite(
            "Each activity call takes its own retry policy and timeouts; errors whose type is non-retryable fail the activity on the first attempt.",
            "https://docs.temporal.io/encyclopedia/retry-policies");
        fact.Conclude();
    }

    private static int? StartedAttempt(WorkflowHistory history, string activityType)
    {
        var ids = ActivityEvents.Scheduled(history, activityType).Select(e => e.EventId).ToHashSet();
        return history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskStarted && ids.Contains(e.ActivityTaskStartedEventAttributes.ScheduledEventId))
            ?.ActivityTaskStartedEventAttributes.Attempt;
    }

    private static int TimedOut(WorkflowHistory history, string activityType)
    {
        var ids = ActivityEvents.Scheduled(history, activityType).Select(e => e.EventId).ToHashSet();
        return history.Events.Count(e => e.EventType == EventType.ActivityTaskTimedOut && ids.Contains(e.ActivityTaskTimedOutEventAttributes.ScheduledEventId));
    }

    private static TimeoutType? TimeoutTypeOf(WorkflowHistory history, string activityType)
    {
        var ids = ActivityEvents.Scheduled(history, activityType).Select(e => e.EventId).ToHashSet();
        return history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskTimedOut && ids.Contains(e.ActivityTaskTimedOutEventAttributes.ScheduledEventId))
            ?.ActivityTaskTimedOutEventAttributes.Failure?.TimeoutFailureInfo?.TimeoutType;
    }

    private static (string Type, bool NonRetryable)? FailureOf(WorkflowHistory history, string activityType)
    {
        var ids = ActivityEvents.Scheduled(history, activityType).Select(e => e.EventId).ToHashSet();
        var failure = history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskFailed && ids.Contains(e.ActivityTaskFailedEventAttributes.ScheduledEventId))
            ?.ActivityTaskFailedEventAttributes.Failure.ApplicationFailureInfo;
        return failure is null ? null : (failure.Type, failure.NonRetryable);
    }
}
