using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Observability;
using OpenTelemetry.Exporter;
using Temporalio.Client;
using Temporalio.Runtime;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ObservabilityFacts
{
    private const string MeteredType = nameof(MeteredOrderWorkflow);
    private const string StepActivity = "ProcessStep";

    [SkippableFact]
    [Criterion("OB-02")]
    public async Task OB02_Metrics()
    {
        const int Runs = 4;
        const int Steps = 3;
        const int Units = 5;
        const int OtlpRuns = 2;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("scrape-served", "The SDK runtime's Prometheus endpoint on a free loopback port answers GET /metrics with text the exposition-format parser reads without error"),
                Core("workflow-completed", $"temporal_workflow_completed labelled with the workflow type and task queue equals the {Runs} runs completed"),
                Core("activity-metrics", $"temporal_activity_execution_latency_count labelled with the activity and workflow types equals the {Runs}x{Steps} activities run; none failed"),
                Core("custom-workflow-metric", "A counter from workflow code (Workflow.MetricMeter) reads the number of runs, labelled with the workflow type"),
                Core("custom-activity-metric", "A counter from activity code (ActivityExecutionContext.MetricMeter) reads the units the activities added, labelled with the activity type"),
                Edge("otlp-export", "The runtime's OpenTelemetry exporter delivers to a local OTLP receiver proven first by OpenTelemetry .NET's own exporter: a request arrives carrying the SDK and custom metric names, and its workflow-completed point equals the runs done"),
                Edge("otlp-http-protocol", "With OpenTelemetryProtocol.Http configured, the runtime's exports arrive as OTLP/HTTP POSTs, not as OTLP/gRPC, at a receiver that accepts both on one port"),
                Production("server-metrics", "Server-side metrics (persistence, matching, history shards) scraped from a full server's own endpoint"),
            ],
            async (server, checks) =>
            {
                var address = $"127.0.0.1:{LoopbackPort.Free()}";
                var client = await RuntimeClients.ConnectAsync(server, RuntimeClients.WithPrometheus(address));
                var queue = server.NewTaskQueue("metered");
                var clock = Stopwatch.StartNew();
                await using (var worker = RunningWorker.Start(client, new TemporalWorkerOptions(queue).AddWorkflow<MeteredOrderWorkflow>().AddAllActivities(new MeteredStepActivities())))
                {
                    var handles = new List<WorkflowHandle<MeteredOrderWorkflow, int>>();
                    for (var i = 0; i < Runs; i++)
                    {
                        handles.Add(await client.StartWorkflowAsync((MeteredOrderWorkflow w) => w.RunAsync(new MeteredOrder(Steps, Units)), server.Options("metered", queue)));
                    }

                    foreach (var handle in handles)
                    {
                        await handle.GetResultAsync();
                    }
                }

                fact.Metric("metered_work_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var completedLabels = new[] { ("workflow_type", MeteredType), ("task_queue", queue) };
                var activityLabels = new[] { ("activity_type", StepActivity), ("workflow_type", MeteredType), ("task_queue", queue) };

                // Counters are recorded as the worker reports completions; poll until they settle within the bound, then compare exactly.
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                PrometheusScrape? scrape = null;
                string? scrapeError = null;
                double scrapeMs = 0;
                await Eventually.HoldsAsync(
                    async () =>
                    {
                        var scrapeClock = Stopwatch.StartNew();
                        using var response = await http.GetAsync(new Uri($"http://{address}/metrics"), checks.Cancellation);
                        var text = await response.Content.ReadAsStringAsync(checks.Cancellation);
                        scrapeMs = scrapeClock.Elapsed.TotalMilliseconds;
                        try
                        {
                            scrape = PrometheusText.Parse(text);
                            scrapeError = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
                        }
                        catch (FormatException e)
                        {
                            scrapeError = e.Message;
                            return false;
                        }

                        return scrape.Sum("temporal_workflow_completed", completedLabels) >= Runs
                            && scrape.Sum("temporal_activity_execution_latency_count", activityLabels) >= Runs * Steps
                            && scrape.Sum(MeteredStepActivities.UnitsCounter) >= Runs * Steps * Units;
                    },
                    TimeSpan.FromSeconds(15),
                    checks.Cancellation);
                fact.Metric("scrape_ms", scrapeMs, "ms");
                if (scrape is null)
                {
                    throw new InvalidOperationException($"no scrape could be parsed from http://{address}/metrics: {scrapeError ?? "no answer"}");
                }

                fact.Metric("scraped_families", scrape.Types.Count, "families");
                checks.Expect(
                    "scrape-served",
                    scrapeError is null && scrape.Samples.Count > 0,
                    $"GET /metrics on a free loopback port: {scrapeError ?? "200"}, {scrape.Samples.Count} samples in {scrape.Types.Count} families, "
                        + $"temporal families: {string.Join(", ", scrape.Families.Where(f => f.StartsWith("temporal_workflow", StringComparison.Ordinal)).Order(StringComparer.Ordinal))}");

                var completed = scrape.Sum("temporal_workflow_completed", completedLabels);
                checks.Expect(
                    "workflow-completed",
                    completed == Runs && scrape.Sum("temporal_workflow_failed", completedLabels) == 0,
                    $"temporal_workflow_completed{{workflow_type=\"{MeteredType}\",task_queue=<this queue>}} = {Num(completed)} after {Runs} runs; "
                        + $"temporal_workflow_failed = {Num(scrape.Sum("temporal_workflow_failed", completedLabels))}");

                var executed = scrape.Sum("temporal_activity_execution_latency_count", activityLabels);
                var failedActivities = scrape.Sum("temporal_activity_execution_failed", activityLabels);
                checks.Expect(
                    "activity-metrics",
                    executed == Runs * Steps && failedActivities == 0,
                    $"temporal_activity_execution_latency_count{{activity_type=\"{StepActivity}\",workflow_type=\"{MeteredType}\"}} = {Num(executed)} for {Runs * Steps} activities; "
                        + $"temporal_activity_execution_failed = {Num(failedActivities)}");

                var workflowCustom = scrape.Sum(MeteredOrderWorkflow.WorkflowCounter, completedLabels);
                checks.Expect(
                    "custom-workflow-metric",
                    workflowCustom == Runs,
                    $"{MeteredOrderWorkflow.WorkflowCounter}{{workflow_type=\"{MeteredType}\"}} = {Num(workflowCustom)} (runs {Runs}); HELP \"{scrape.Help.GetValueOrDefault(MeteredOrderWorkflow.WorkflowCounter, "(none)")}\"");

                var unitLabels = new[] { ("activity_type", StepActivity), ("task_queue", queue) };
                var activityCustom = scrape.Sum(MeteredStepActivities.UnitsCounter, unitLabels);
                checks.Expect(
                    "custom-activity-metric",
                    activityCustom == Runs * Steps * Units,
                    $"{MeteredStepActivities.UnitsCounter}{{activity_type=\"{StepActivity}\"}} = {Num(activityCustom)} (expected {Runs}x{Steps}x{Units} = {Runs * Steps * Units})");

                // The receiver is proven before the SDK is judged: OpenTelemetry .NET's own exporter sends one counter
                // point by each transport to the same port. Without the OTLP/HTTP control the SDK checks do not run.
                await using var receiver = await OtlpReceiver.StartAsync(checks.Cancellation);
                const long ControlValue = 7919;
                var httpFlushed = OtlpControl.Send(receiver, OtlpExportProtocol.HttpProtobuf, ControlValue);
                var grpcFlushed = OtlpControl.Send(receiver, OtlpExportProtocol.Grpc, ControlValue + 1);
                var httpControl = OtlpControl.Arrived(receiver.Requests, "http", ControlValue);
                var grpcControl = OtlpControl.Arrived(receiver.Requests, "grpc", ControlValue + 1);
                fact.Finding($"OTLP receiver control (OpenTelemetry .NET's exporter, same port): OTLP/HTTP {(httpControl ? "arrived" : $"did not arrive (flush {(httpFlushed ? "reported success" : "failed")})")}, "
                    + $"OTLP/gRPC {(grpcControl ? "arrived" : $"did not arrive (flush {(grpcFlushed ? "reported success" : "failed")})")}"
                    + (receiver.Refused.Count == 0 ? "." : $"; refused: {string.Join("; ", receiver.Refused)}."));
                if (!httpControl)
                {
                    var unproven = OtlpVerdict.Export(new OtlpObservation(false, grpcControl, [], string.Empty, OtlpRuns, []));
                    checks.NotRun("otlp-export", unproven.Evidence);
                    checks.NotRun("otlp-http-protocol", unproven.Evidence);
                }
                else
                {
                    var otlpRuntime = new TemporalRuntime(new TemporalRuntimeOptions
                    {
                        Telemetry = new TelemetryOptions
                        {
                            Metrics = new MetricsOptions
                            {
                                OpenTelemetry = new OpenTelemetryOptions(receiver.MetricsUrl)
                                {
                                    Protocol = OpenTelemetryProtocol.Http,
                                    MetricsExportInterval = TimeSpan.FromMilliseconds(250),
                                },
                            },
                        },
                    });
                    var otlpClient = await RuntimeClients.ConnectAsync(server, otlpRuntime);
                    var otlpQueue = server.NewTaskQueue("otlp");
                    await using (var worker = RunningWorker.Start(otlpClient, new TemporalWorkerOptions(otlpQueue).AddWorkflow<MeteredOrderWorkflow>().AddAllActivities(new MeteredStepActivities())))
                    {
                        for (var i = 0; i < OtlpRuns; i++)
                        {
                            await otlpClient.ExecuteWorkflowAsync((MeteredOrderWorkflow w) => w.RunAsync(new MeteredOrder(1, Units)), server.Options("otlp", otlpQueue));
                        }
                    }

                    IReadOnlyList<OtlpRequest> SdkRequests() => receiver.Requests.Where(r => !OtlpDecoding.MetricNames(r.Body).Contains(OtlpControl.MetricName)).ToList();
                    OtlpObservation Observed() => new(httpControl, grpcControl, SdkRequests(), otlpQueue, OtlpRuns, ["temporal_workflow_completed", MeteredOrderWorkflow.WorkflowCounter, MeteredStepActivities.UnitsCounter]);
                    // The runtime exports every 250 ms: 5 s is twenty intervals. Only a failing export waits the bound out.
                    await Eventually.HoldsAsync(() => Task.FromResult(OtlpVerdict.Export(Observed()).Passed == true), TimeSpan.FromSeconds(5), checks.Cancellation);
                    var observed = Observed();
                    fact.Metric("otlp_sdk_exports", observed.Sdk.Count, "requests");
                    if (observed.Sdk.Any(r => r.Transport == "grpc"))
                    {
                        fact.Finding("The SDK runtime exported its metrics by OTLP/gRPC although OpenTelemetryProtocol.Http was configured: point it at a collector's gRPC port (4317), not its HTTP one.");
                    }

                    foreach (var (id, judgement) in new[] { ("otlp-export", OtlpVerdict.Export(observed)), ("otlp-http-protocol", OtlpVerdict.HttpHonoured(observed)) })
                    {
                        if (judgement.Passed is { } passed)
                        {
                            checks.Expect(id, passed, judgement.Evidence);
                        }
                        else
                        {
                            checks.NotRun(id, judgement.Evidence);
                        }
                    }
                }

                checks.NotRun(
                    "server-metrics",
                    $"the {ServerNames.Of(server.Kind)} here exposes no server metrics endpoint to scrape; the SDK metrics above are the worker's and client's own");
            });

        fact.Cite(
            "SDK metrics (workflow completed/failed, activity execution latency and failures, schedule-to-start latency, poller and slot gauges) are emitted by the Core SDK and exported through Prometheus or OpenTelemetry",
            "https://docs.temporal.io/references/sdk-metrics");
        fact.Cite(
            "Custom metrics come from Workflow.MetricMeter in workflow code (replay-safe) and ActivityExecutionContext.MetricMeter in activities",
            "https://docs.temporal.io/develop/dotnet/observability#metrics");
        fact.Cite(
            "sdk-core's C bridge builds the OTLP metric exporter's options (create_meter) without the protocol field the .NET SDK passes it, and those options default to gRPC",
            "https://github.com/temporalio/sdk-core/blob/master/crates/sdk-core-c-bridge/src/runtime.rs");
        fact.Cite("The Temporal server emits its own metrics for persistence, matching and history services", "https://docs.temporal.io/references/cluster-metrics");
        fact.Conclude();
    }

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
