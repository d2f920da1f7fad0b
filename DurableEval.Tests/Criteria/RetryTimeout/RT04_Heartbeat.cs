using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.RetryTimeout;
using Temporalio.Activities;
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
}
