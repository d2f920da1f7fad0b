using System.Globalization;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
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
}
