using System.Diagnostics;
using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using DurableEval.Workflows.Execution;
using Temporalio.Client;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    [SkippableFact]
    [Criterion("DX-04")]
    public async Task DX04_TestingTimeSkipping()
    {
        const string Id = "DX-04";
        const int Items = 5;
        const int CancelAfter = 3;
        var longWait = TimeSpan.FromDays(30);
        var shortTimer = TimeSpan.FromSeconds(1);
        var skipWallMax = CriterionThresholds.Get(Id, "skip_30_days_wall_max");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("activity-env-heartbeats", $"ActivityEnvironment runs an activity alone and captures each of its {Items} heartbeats with their details"),
                Core("activity-env-cancel", $"Cancelling through ActivityEnvironment after {CancelAfter} heartbeats stops the activity with a cancellation and records the reason"),
                Core("replayer-detects-change", "WorkflowReplayer passes a recorded history with the code that wrote it and fails it with reordered code"),
            ],
            async checks =>
            {
                var beats = new List<object?[]>();
                var env = new ActivityEnvironment { Heartbeater = details => beats.Add(details) };
                var processed = await env.RunAsync(() => BatchActivities.ProcessAsync(Items));
                var details = beats.Select(b => b.Length == 1 ? b[0] : null).ToList();
                checks.Expect(
                    "activity-env-heartbeats",
                    processed == Items && details.SequenceEqual(Enumerable.Range(1, Items).Cast<object?>()),
                    $"result {processed}; {beats.Count} heartbeats with details [{string.Join(",", details)}]");

                var cancelBeats = 0;
                ActivityEnvironment? cancelling = null;
                cancelling = new ActivityEnvironment
                {
                    Heartbeater = _ =>
                    {
                        if (++cancelBeats == CancelAfter)
                        {
                            cancelling!.Cancel();
                        }
                    },
                };
                var cancelled = await Observe.FailureOfAsync(() => cancelling.RunAsync(() => BatchActivities.ProcessAsync(Items * 100)));
                checks.Expect(
                    "activity-env-cancel",
                    cancelled is OperationCanceledException && cancelBeats == CancelAfter && cancelling.CancelReason == ActivityCancelReason.CancelRequested,
                    $"{Observe.Describe(cancelled)} after {cancelBeats} heartbeats; cancel reason {cancelling.CancelReason}");

                var history = HistoryFixtures.Load(ShipmentWorkflow.Name);
                if (history is null)
                {
                    checks.NotRun("replayer-detects-change", $"history file {HistoryFixtures.PathOf(ShipmentWorkflow.Name)} is missing; record it with {Settings.RecordHistoriesVariable}=1");
                    return;
                }

                var same = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ShipmentWorkflow>(), checks.Cancellation);
                var changed = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ReorderedShipmentWorkflow>(), checks.Cancellation);
                checks.Expect(
                    "replayer-detects-change",
                    same[0].Failure is null && changed[0].Failure is WorkflowNondeterminismException,
                    $"same code: {(same[0].Failure is null ? "replayed cleanly" : HistoryProbe.Summarize(same[0].Failure!))}; reordered code: {(changed[0].Failure is null ? "replayed cleanly (not detected)" : HistoryProbe.Summarize(changed[0].Failure!))}");
            });

        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [
                Core("long-wait-skips", $"A {longWait.TotalDays:0}-day timer completes, the workflow waking at its start + {longWait.TotalDays:0} days of workflow time (no earlier, at most {TimerWake.Tolerance.TotalSeconds:0} s later), in less wall time than an unskipped {shortTimer.TotalSeconds:0} s timer takes (same run)"),
                Edge("skip-within-threshold", $"The {longWait.TotalDays:0}-day timer takes under {skipWallMax.Value.ToString(CultureInfo.InvariantCulture)} ms of wall time (DurableEval's threshold)"),
                Core("test-double-called", $"A test double registered under the activity name \"{PaymentActivities.ChargeName}\" is the one the unchanged workflow calls"),
                Edge("auto-skip-off-real-time", $"With auto time skipping disabled, a {shortTimer.TotalSeconds:0} s timer takes at least that long in wall time, and the workflow wakes at its start + {shortTimer.TotalSeconds:0} s of workflow time (at most {TimerWake.Tolerance.TotalSeconds:0} s later)"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("testing");
                var fake = new FakePaymentActivities();
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<LongWaitWorkflow>()
                    .AddWorkflow<CheckoutWorkflow>()
                    .AddAllActivities(fake));

                // The double's run comes first and doubles as the warm-up (worker pollers, JIT) for the timed runs.
                var charged = await server.Client.ExecuteWorkflowAsync((CheckoutWorkflow w) => w.RunAsync(1250), server.Options("double", queue));
                checks.Expect(
                    "test-double-called",
                    charged == "fake charge of 1250" && fake.Calls == 1,
                    $"workflow result \"{charged}\"; double called {fake.Calls} time(s); the production class was not registered");

                var watch = Stopwatch.StartNew();
                var skipped = await server.Client.ExecuteWorkflowAsync((LongWaitWorkflow w) => w.RunAsync(longWait), server.Options("skip", queue, longWait + TimeSpan.FromDays(1)));
                var skipWall = watch.Elapsed.TotalMilliseconds;

                watch.Restart();
                var real = await server.Environment.WithAutoTimeSkippingDisabledAsync(
                    () => server.Client.ExecuteWorkflowAsync((LongWaitWorkflow w) => w.RunAsync(shortTimer), server.Options("realtime", queue)));
                var realWall = watch.Elapsed;

                // Compared within the run: on a loaded machine both slow down, the ratio of waited to skipped time does not.
                checks.Expect(
                    "long-wait-skips",
                    TimerWake.OnTime(skipped, longWait) && skipWall < realWall.TotalMilliseconds,
                    string.Create(CultureInfo.InvariantCulture, $"{skipped.TotalDays:0.##} days of workflow time ({TimerWake.Describe(skipped, longWait)}) in {skipWall:0} ms of wall time, less than the {realWall.TotalMilliseconds:0} ms an unskipped {shortTimer.TotalSeconds:0} s timer took"));
                checks.Expect(
                    "skip-within-threshold",
                    skipWall < skipWallMax.Value,
                    string.Create(CultureInfo.InvariantCulture, $"{longWait.TotalDays:0} days skipped in {skipWall:0} ms of wall time"));
                fact.Metric("skip_30_days_wall_ms", skipWall, "ms", new MetricMethod(1, 1, 1, "wall time from start to result of one workflow awaiting a 30-day timer, after one warm-up workflow", $"{ServerNames.Of(server.Kind)} {server.Version}", "in-memory", "default worker options"));
                checks.Expect(
                    "auto-skip-off-real-time",
                    realWall >= shortTimer * 0.95 && TimerWake.OnTime(real, shortTimer),
                    string.Create(CultureInfo.InvariantCulture, $"{shortTimer.TotalSeconds:0} s timer took {realWall.TotalMilliseconds:0} ms of wall time ({real.TotalMilliseconds:0} ms workflow time, {TimerWake.Describe(real, shortTimer)}); the {longWait.TotalDays:0}-day timer took {skipWall:0} ms skipped"));
                fact.Metric("timer_1s_unskipped_wall_ms", realWall.TotalMilliseconds, "ms");
            });

        foreach (var threshold in CriterionThresholds.For(Id))
        {
            fact.Finding(threshold.Describe());
        }

        fact.Cite("The .NET SDK's test environment: WorkflowEnvironment.StartTimeSkippingAsync skips time while a test waits on a result; ActivityEnvironment runs activities alone; WorkflowReplayer checks determinism.", "https://docs.temporal.io/develop/dotnet/testing-suite");
        fact.Conclude();
    }
}
