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
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
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
                Core("rate-capped", $"With eager activity execution disabled, MaxActivitiesPerSecond = {Rate.ToString(CultureInfo.InvariantCulture)} spreads {RatedItems} activity starts over at least (N-1)/rate seconds (20 % slack)"),
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
                // Eager execution off: on a full server an eagerly started activity skips the worker's task poll, and
                // with it the activities-per-second limiter, so the cap is measured without it and the bypass is
                // measured separately below.
                var rated = await FanOutAsync(
                    server, "rated", new FanOutInput(RatedItems), releaseAt: 1, hold: TimeSpan.Zero, o =>
                    {
                        o.MaxActivitiesPerSecond = Rate;
                        o.DisableEagerActivityExecution = true;
                    });
                var span = StartSpan(rated.Probe);
                var floor = TimeSpan.FromSeconds((RatedItems - 1) / Rate * 0.8);
                var eager = await FanOutAsync(
                    server, "rated-eager", new FanOutInput(RatedItems), releaseAt: 1, hold: TimeSpan.Zero, o => o.MaxActivitiesPerSecond = Rate);
                var eagerSpan = StartSpan(eager.Probe);
                fact.Metric("eager_activities_per_s", (RatedItems - 1) / Math.Max(eagerSpan.TotalSeconds, 0.001), "activities/s");
                fact.Finding(EagerBypassFinding(ServerNames.Of(server.Kind), Rate, floor, span, eagerSpan));
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

    /// <summary>Whether eager activity execution let starts past the worker's rate limit, judged from the two spans.</summary>
    internal static string EagerBypassFinding(string server, double rate, TimeSpan floor, TimeSpan eagerOff, TimeSpan eagerOn)
    {
        var r = rate.ToString(CultureInfo.InvariantCulture);
        return eagerOn < floor
            ? $"On the {server}, eager activity execution bypassed MaxActivitiesPerSecond = {r}: with it on (the default) the starts spread over {Ms(eagerOn)}, under the cap's floor of {Ms(floor)} (with it off: {Ms(eagerOff)}). Set DisableEagerActivityExecution where the limit protects a dependency."
            : $"On the {server}, eager activity execution did not bypass MaxActivitiesPerSecond = {r}: with it on (the default) the starts spread over {Ms(eagerOn)}, at or above the cap's floor of {Ms(floor)} (with it off: {Ms(eagerOff)}); servers that grant eager starts (a full server) can bypass it.";
    }
}
