using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Observability;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Temporalio.Client;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ObservabilityFacts
{
    [SkippableFact]
    [Criterion("OB-04")]
    public async Task OB04_OTelCompliance()
    {
        var fact = Begin();
        fact.Finding("Temporalio.Extensions.OpenTelemetry (the official TracingInterceptor) does not restore from this machine's NuGet feed (NU1101); the spans here come from a minimal interceptor written on the SDK's public client and worker interceptor API, carrying W3C trace context in Temporal headers as the official package does");
        await fact.LiveAsync(
            ServerNeed.PreferFull,
            [
                Core("spans-exported", "The OpenTelemetry .NET SDK's in-memory exporter receives exactly one StartWorkflow and one RunWorkflow span and one StartActivity and one RunActivity span per activity for the run"),
                Core("client-to-workflow", "The workflow's RunWorkflow span is a child of the client's StartWorkflow span, in the same trace, across the server"),
                Core("workflow-to-activity", "Each activity's StartActivity span is a child of RunWorkflow and its RunActivity span (on the activity worker) a child of that StartActivity span, all in one trace"),
                Edge("query-linked", "Each HandleQuery span in the workflow is a child of the client's QueryWorkflow span"),
                Edge("signal-linked", "The HandleSignal span in the workflow is a child of the client's SignalWorkflow span"),
                Edge("no-replay-duplicates", "With no workflow cache (every task replays history) the run still emits one RunWorkflow span and one StartActivity per activity; the same interceptor without its replay guard emits RunWorkflow again on every replayed task"),
                Production("official-package", "The official Temporalio.Extensions.OpenTelemetry TracingInterceptor produces the same linked spans"),
            ],
            async (server, checks) =>
            {
                var spans = new List<Activity>();
                using var provider = Sdk.CreateTracerProviderBuilder().AddSource(TraceContextInterceptor.SourceName).AddInMemoryExporter(spans).Build();

                async Task<(string WorkflowId, string Result)> RunTracedAsync(string purpose, TraceContextInterceptor interceptor, int? cache)
                {
                    var options = (TemporalClientOptions)server.Client.Options.Clone();
                    options.Interceptors = [interceptor];
                    var client = new TemporalClient(server.Client.Connection, options);
                    var queue = server.NewTaskQueue(purpose);
                    var workerOptions = new TemporalWorkerOptions(queue).AddWorkflow<TracedShipmentWorkflow>().AddAllActivities(new ShipmentActivities());
                    if (cache is { } size)
                    {
                        workerOptions.MaxCachedWorkflows = size;
                    }

                    // Client interceptors that are also worker interceptors apply to the worker built on that client.
                    await using var worker = RunningWorker.Start(client, workerOptions);
                    var handle = await client.StartWorkflowAsync((TracedShipmentWorkflow w) => w.RunAsync("order-1"), server.Options(purpose, queue));
                    var packed = await Eventually.HoldsAsync(async () => await handle.QueryAsync(w => w.Stage) == "packed", Observe.Bound, checks.Cancellation);
                    if (!packed)
                    {
                        throw new TimeoutException($"{purpose}: the workflow never reported stage packed");
                    }

                    await handle.SignalAsync(w => w.ReleaseAsync());
                    var result = await handle.GetResultAsync();
                    provider.ForceFlush();
                    return (handle.Id, result);
                }

                // Positive control: a span the fact starts itself on the interceptor's source must reach the same
                // in-memory exporter. Only then do missing SDK-side spans say something about the SDK.
                const string ControlSpan = "DurableEval.ExporterControl";
                using (var controlSource = new ActivitySource(TraceContextInterceptor.SourceName))
                using (controlSource.StartActivity(ControlSpan))
                {
                }

                provider.ForceFlush();
                bool controlArrived;
                lock (spans)
                {
                    controlArrived = spans.Any(s => s.DisplayName == ControlSpan);
                }

                if (!controlArrived)
                {
                    const string Unproven = "exporter not proven: a control span started by the fact on the interceptor's ActivitySource never reached the in-memory exporter, so missing spans would say nothing about the SDK";
                    checks.NotRun("official-package", "Temporalio.Extensions.OpenTelemetry is not restorable from this machine's NuGet feed (NU1101: no versions available); its TracingInterceptor could not be exercised");
                    checks.NotRunRemaining(Unproven);
                    return;
                }

                var cached = await RunTracedAsync("traced", new TraceContextInterceptor(), cache: null);
                var run = SpansOf(spans, cached.WorkflowId);
                var start = run.Where(s => s.DisplayName == $"StartWorkflow:{nameof(TracedShipmentWorkflow)}").ToList();
                var workflow = run.Where(s => s.DisplayName == $"RunWorkflow:{nameof(TracedShipmentWorkflow)}").ToList();
                var startPack = run.Where(s => s.DisplayName == "StartActivity:Pack").ToList();
                var startShip = run.Where(s => s.DisplayName == "StartActivity:Ship").ToList();
                var runPack = run.Where(s => s.DisplayName == "RunActivity:Pack").ToList();
                var runShip = run.Where(s => s.DisplayName == "RunActivity:Ship").ToList();
                checks.Expect(
                    "spans-exported",
                    start.Count == 1 && workflow.Count == 1 && startPack.Count == 1 && startShip.Count == 1 && runPack.Count == 1 && runShip.Count == 1,
                    $"run {Observe.Short(cached.WorkflowId[^8..])} ({cached.Result}): {SpanCounts(run)}");
                if (start.Count != 1 || workflow.Count != 1 || startPack.Count != 1 || startShip.Count != 1 || runPack.Count != 1 || runShip.Count != 1)
                {
                    throw new InvalidOperationException($"spans missing or repeated, links cannot be read: {SpanCounts(run)}");
                }

                var trace = start[0].TraceId;
                checks.Expect(
                    "client-to-workflow",
                    workflow[0].ParentSpanId == start[0].SpanId && workflow[0].TraceId == trace && start[0].Kind == ActivityKind.Client && workflow[0].Kind == ActivityKind.Server,
                    $"StartWorkflow {start[0].SpanId} ({start[0].Kind}) > RunWorkflow parent {workflow[0].ParentSpanId} ({workflow[0].Kind}); same trace {workflow[0].TraceId == trace}");
                var chain = new[] { startPack[0], startShip[0], runPack[0], runShip[0] };
                checks.Expect(
                    "workflow-to-activity",
                    startPack[0].ParentSpanId == workflow[0].SpanId && startShip[0].ParentSpanId == workflow[0].SpanId
                        && runPack[0].ParentSpanId == startPack[0].SpanId && runShip[0].ParentSpanId == startShip[0].SpanId && chain.All(s => s.TraceId == trace),
                    $"StartActivity:Pack parent is RunWorkflow {startPack[0].ParentSpanId == workflow[0].SpanId}, StartActivity:Ship {startShip[0].ParentSpanId == workflow[0].SpanId}; "
                        + $"RunActivity:Pack parent is StartActivity:Pack {runPack[0].ParentSpanId == startPack[0].SpanId}, RunActivity:Ship {runShip[0].ParentSpanId == startShip[0].SpanId}; "
                        + $"all in trace {trace}: {chain.All(s => s.TraceId == trace)}");

                var queries = run.Where(s => s.DisplayName == "QueryWorkflow:Stage").ToDictionary(s => s.SpanId);
                var handled = run.Where(s => s.DisplayName == "HandleQuery:Stage").ToList();
                checks.Expect(
                    "query-linked",
                    handled.Count > 0 && handled.All(h => queries.TryGetValue(h.ParentSpanId, out var q) && q.TraceId == h.TraceId),
                    $"{queries.Count} QueryWorkflow span(s), {handled.Count} HandleQuery span(s), {handled.Count(h => queries.ContainsKey(h.ParentSpanId))} parented on a QueryWorkflow span");

                var signal = run.Where(s => s.DisplayName == "SignalWorkflow:Release").ToList();
                var handledSignal = run.Where(s => s.DisplayName == "HandleSignal:Release").ToList();
                var signalLinked = signal.Count == 1 && handledSignal.Count == 1 && handledSignal[0].ParentSpanId == signal[0].SpanId && handledSignal[0].TraceId == signal[0].TraceId;
                var signalUnparented = handledSignal.Count == 1 && handledSignal[0].ParentSpanId == default;
                var signalEvidence = $"{signal.Count} SignalWorkflow, {handledSignal.Count} HandleSignal span(s); HandleSignal parent {(handledSignal.Count == 1 ? handledSignal[0].ParentSpanId.ToString() : "n/a")}";
                if (!signalLinked && signalUnparented && server.Kind == ServerKind.TimeSkipping)
                {
                    checks.NotRun("signal-linked", $"measured: the time-skipping server delivered the signal without its headers, so the HandleSignal span has no parent ({signalEvidence}); sdk-java #2586, fixed after the server version used here");
                    fact.Finding("The time-skipping test server drops the headers of signals: a HandleSignal span cannot be linked to the client's SignalWorkflow span there (sdk-java #2586)");
                }
                else
                {
                    checks.Expect("signal-linked", signalLinked, signalEvidence);
                }

                var guarded = await RunTracedAsync("traced-nocache", new TraceContextInterceptor(), cache: 0);
                var unguarded = await RunTracedAsync("traced-unguarded", new TraceContextInterceptor(skipSpansOnReplay: false), cache: 0);
                var guardedRun = SpansOf(spans, guarded.WorkflowId);
                var unguardedRun = SpansOf(spans, unguarded.WorkflowId);
                int Count(IReadOnlyList<Activity> list, string name) => list.Count(s => s.DisplayName == name);
                var workflowSpan = $"RunWorkflow:{nameof(TracedShipmentWorkflow)}";
                checks.Expect(
                    "no-replay-duplicates",
                    Count(guardedRun, workflowSpan) == 1 && Count(guardedRun, "StartActivity:Pack") == 1 && Count(guardedRun, "StartActivity:Ship") == 1
                        && Count(guardedRun, "RunActivity:Pack") == 1 && Count(guardedRun, "RunActivity:Ship") == 1 && Count(unguardedRun, workflowSpan) > 1,
                    $"no cache, with the replay guard: {SpanCounts(guardedRun)}; without it: {SpanCounts(unguardedRun)}");

                var guardedWorkflow = guardedRun.FirstOrDefault(s => s.DisplayName == workflowSpan);
                var guardedShip = guardedRun.FirstOrDefault(s => s.DisplayName == "StartActivity:Ship");
                var guardedStart = guardedRun.FirstOrDefault(s => s.DisplayName.StartsWith("StartWorkflow:", StringComparison.Ordinal));
                if (guardedShip is not null && guardedWorkflow is not null && guardedStart is not null)
                {
                    var parent = guardedShip.ParentSpanId == guardedWorkflow.SpanId ? "RunWorkflow"
                        : guardedShip.ParentSpanId == guardedStart.SpanId ? "the client's StartWorkflow span" : "another span";
                    fact.Finding($"With no workflow cache, an activity scheduled after a replayed task is parented on {parent}: the RunWorkflow span is emitted once, and a replayed task cannot recover its span id (the official interceptor behaves the same way); the trace stays whole ({guardedShip.TraceId == guardedStart.TraceId})");
                }

                fact.Metric("spans_per_run", run.Count, "spans");
                checks.NotRun("official-package", "Temporalio.Extensions.OpenTelemetry is not restorable from this machine's NuGet feed (NU1101: no versions available); its TracingInterceptor could not be exercised");
            });

        fact.Cite(
            "Temporalio.Extensions.OpenTelemetry's TracingInterceptor creates StartWorkflow, RunWorkflow, StartActivity, RunActivity, SignalWorkflow/HandleSignal and QueryWorkflow/HandleQuery spans, propagated in Temporal headers; workflow spans are not created on replay",
            "https://github.com/temporalio/sdk-dotnet/tree/main/src/Temporalio.Extensions.OpenTelemetry");
        fact.Cite("The Java test server drops signal headers (fixed upstream after v1.38.0)", "https://github.com/temporalio/sdk-java/issues/2586");
        fact.Conclude();
    }

    private static List<Activity> SpansOf(List<Activity> spans, string workflowId)
    {
        lock (spans)
        {
            return spans.Where(s => (s.GetTagItem(TraceContextInterceptor.WorkflowIdTag) as string) == workflowId).ToList();
        }
    }

    private static string SpanCounts(IEnumerable<Activity> spans) =>
        string.Join(", ", spans.GroupBy(s => s.DisplayName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}"));
}
