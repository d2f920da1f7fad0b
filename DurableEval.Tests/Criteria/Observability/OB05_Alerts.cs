using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Observability;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ObservabilityFacts
{
    [SkippableFact]
    [Criterion("OB-05")]
    public async Task OB05_Alerts()
    {
        const int Failures = 2;
        const int BacklogItems = 6;
        const int BacklogWorkMs = 300;
        const string AlertType = nameof(AlertSignalWorkflow);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("failure-signal", $"After {Failures} injected failures the scrape's temporal_activity_execution_failed and temporal_workflow_failed (by type) rose by exactly {Failures}, and by 0 over a window of successes"),
                Core("failure-rule", "A sample rule increase(temporal_activity_execution_failed[window]) > 0 fires over the failure window and stays quiet over the success window"),
                Core("backlog-rule", $"A sample rule on activity schedule-to-start latency (observations above a bucket bound) fires when {BacklogItems} activities of {BacklogWorkMs} ms queue for one worker slot, and stays quiet over the success window"),
                Edge("task-failure-signal", "A workflow task that keeps failing (a code bug) raises temporal_workflow_task_execution_failed, the signal for a stuck-workflow alert"),
                Production("alert-routing", "Alerts routed to people (Alertmanager, PagerDuty) or Temporal Cloud's built-in alerts"),
            ],
            async (server, checks) =>
            {
                var address = $"127.0.0.1:{LoopbackPort.Free()}";
                var client = await RuntimeClients.ConnectAsync(server, RuntimeClients.WithPrometheus(address));
                var queue = server.NewTaskQueue("alerts");
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                async Task<PrometheusScrape> ScrapeAsync() => PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{address}/metrics"), checks.Cancellation));
                async Task<PrometheusScrape> SettledAsync(Func<PrometheusScrape, bool> done)
                {
                    var scrape = await ScrapeAsync();
                    await Eventually.HoldsAsync(async () => done(scrape = await ScrapeAsync()), TimeSpan.FromSeconds(15), checks.Cancellation);
                    return scrape;
                }

                var workflowLabels = new[] { ("workflow_type", AlertType), ("task_queue", queue) };
                var activityLabels = new[] { ("activity_type", "Work"), ("task_queue", queue) };
                double Completed(PrometheusScrape s) => s.Sum("temporal_workflow_completed", workflowLabels);

                await using var worker = RunningWorker.Start(client, new TemporalWorkerOptions(queue) { MaxConcurrentActivities = 1 }
                    .AddWorkflow<AlertSignalWorkflow>().AddAllActivities(new AlertSignalActivities()));
                await client.ExecuteWorkflowAsync((AlertSignalWorkflow w) => w.RunAsync(AlertScenario.Succeed, 0, 0), server.Options("warm", queue));
                var s0 = await SettledAsync(s => Completed(s) >= 1);
                await client.ExecuteWorkflowAsync((AlertSignalWorkflow w) => w.RunAsync(AlertScenario.Succeed, 0, 0), server.Options("ok", queue));
                var s1 = await SettledAsync(s => Completed(s) >= 2);

                for (var i = 0; i < Failures; i++)
                {
                    var failing = await client.StartWorkflowAsync((AlertSignalWorkflow w) => w.RunAsync(AlertScenario.FailActivity, 0, 0), server.Options("fail", queue));
                    await Observe.FailureOfAsync(() => failing.GetResultAsync());
                }

                var s2 = await SettledAsync(s => s.Sum("temporal_workflow_failed", workflowLabels) - s1.Sum("temporal_workflow_failed", workflowLabels) >= Failures);
                double Rise(PrometheusScrape a, PrometheusScrape b, string metric, (string, string)[] labels) => b.Sum(metric, labels) - a.Sum(metric, labels);
                var activityRise = Rise(s1, s2, "temporal_activity_execution_failed", activityLabels);
                var workflowRise = Rise(s1, s2, "temporal_workflow_failed", workflowLabels);
                var quietRise = Rise(s0, s1, "temporal_activity_execution_failed", activityLabels) + Rise(s0, s1, "temporal_workflow_failed", workflowLabels);
                checks.Expect(
                    "failure-signal",
                    activityRise == Failures && workflowRise == Failures && quietRise == 0,
                    $"over the failure window: activity failures +{Num(activityRise)}, workflow failures +{Num(workflowRise)} (injected {Failures}); over the success window +{Num(quietRise)}");

                var failureRule = new AlertRule("ActivityFailures", "temporal_activity_execution_failed", activityLabels);
                var onFailures = failureRule.Evaluate(s1, s2);
                var onSuccess = failureRule.Evaluate(s0, s1);
                checks.Expect("failure-rule", onFailures.Fires && !onSuccess.Fires, $"failure window {onFailures}; success window {onSuccess}");

                await client.ExecuteWorkflowAsync((AlertSignalWorkflow w) => w.RunAsync(AlertScenario.Backlog, BacklogItems, BacklogWorkMs), server.Options("backlog", queue));
                const string Latency = "temporal_activity_schedule_to_start_latency";

                // Schedule-to-start is measured when a poll delivers the task, before the activity type matters: it is labelled by queue.
                var queueLabels = new[] { ("task_queue", queue) };
                var s3 = await SettledAsync(s => s.Sum(Latency + "_count", queueLabels) >= s2.Sum(Latency + "_count", queueLabels) + BacklogItems);

                // The largest bucket bound at or under 500 ms that the SDK exports: waits above it are the backlog signal.
                var bound = s3.Named(Latency + "_bucket").Select(b => b.Labels.GetValueOrDefault("le"))
                    .Select(le => double.TryParse(le, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? (Text: le!, Value: v) : (Text: string.Empty, Value: double.NaN))
                    .Where(b => b.Value <= 500).OrderByDescending(b => b.Value).Select(b => b.Text).FirstOrDefault();
                if (bound is null)
                {
                    checks.NotRun("backlog-rule", $"the scrape exports no {Latency} buckets at or under 500 ms to write the rule against");
                }
                else
                {
                    var backlogRule = new AlertRule("SlowActivityStart", Latency, queueLabels, AboveBucket: bound);
                    var onBacklog = backlogRule.Evaluate(s2, s3);
                    var onQuiet = backlogRule.Evaluate(s0, s1);
                    var waits = Rise(s2, s3, Latency + "_count", queueLabels);
                    var meanWaitMs = Rise(s2, s3, Latency + "_sum", queueLabels) / Math.Max(1, waits);
                    checks.Expect(
                        "backlog-rule",
                        onBacklog.Fires && !onQuiet.Fires,
                        $"bound le=\"{bound}\"; backlog window {onBacklog} ({Num(waits)} starts, mean wait {Num(meanWaitMs)}); success window {onQuiet}");
                }

                var brokenOptions = server.Options("broken", queue);

                // Its workflow task fails on purpose (the alert signal): the run watcher must not end the block on it.
                server.ExpectTaskFailures(brokenOptions.Id!);
                var broken = await client.StartWorkflowAsync((AlertSignalWorkflow w) => w.RunAsync(AlertScenario.BreakWorkflowTask, 0, 0), brokenOptions);
                var s4 = await SettledAsync(s => Rise(s3, s, "temporal_workflow_task_execution_failed", workflowLabels) >= 1);
                var taskFailures = Rise(s3, s4, "temporal_workflow_task_execution_failed", workflowLabels);
                await broken.TerminateAsync("DurableEval: task-failure signal observed");
                checks.Expect(
                    "task-failure-signal",
                    taskFailures >= 1,
                    $"temporal_workflow_task_execution_failed{{workflow_type=\"{AlertType}\"}} rose by {Num(taskFailures)} while the run stayed open (the server retries a failing task; the workflow does not fail)");
                checks.NotRun("alert-routing", "neither the SDK nor the open-source server routes alerts; routing is Prometheus Alertmanager's (or Temporal Cloud's) job, documented only");
            });

        fact.Cite("Neither the SDKs nor the open-source server alert; SDK and server metrics feed Prometheus/Grafana alert rules", "https://docs.temporal.io/production-deployment/self-hosted-guide/monitoring");
        fact.Cite("Temporal Cloud offers built-in usage and health notifications and exposes metrics for alerting", "https://docs.temporal.io/cloud/metrics");
        fact.Cite("Alertmanager routes, groups and silences alerts from Prometheus rules", "https://prometheus.io/docs/alerting/latest/alertmanager/");
        fact.Conclude();
    }
}
