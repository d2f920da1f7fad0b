using System.Text.Json.Nodes;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Observability;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ObservabilityFacts
{
    [SkippableFact]
    [Criterion("OB-03")]
    public async Task OB03_HistoryVisualization()
    {
        const string Part = "bracket-7";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.PreferFull,
            [
                Core("history-fetched", "The fetched history is the whole run: contiguous ids from WorkflowExecutionStarted to WorkflowExecutionCompleted, as many events as describe reports, with the failed activity's scheduled, started and failed events"),
                Core("json-export", "WorkflowHistory.ToJson exports every event (type and attributes) as JSON that parses back (FromJson) to the same event sequence"),
                Core("json-replays", "The exported JSON replays against the workflow's code with no replay failure"),
                Core("failure-visible", "The JSON shows the activity failure: its message, the exception type, and a stack trace naming the activity method"),
                Edge("replay-detects-change", "The same JSON replayed against an incompatible version of the workflow fails with a nondeterminism error, so a clean replay means something"),
                Edge("event-stream", "FetchHistoryEventsAsync streams the same events one by one"),
                Production("ui-render", "The same history rendered in a web UI"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("inspect");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<InspectedFailureWorkflow>().AddAllActivities(new InspectionActivities()));
                var handle = await server.Client.StartWorkflowAsync((InspectedFailureWorkflow w) => w.RunAsync(Part), server.Options("inspect", queue));
                var result = await handle.GetResultAsync();
                var history = await handle.FetchHistoryAsync();
                var description = await handle.DescribeAsync();
                var types = HistoryProbe.Types(history);
                var ids = history.Events.Select(e => e.EventId).ToList();
                var lifecycle = ActivityEvents.Lifecycle(history, "Inspect");
                checks.Expect(
                    "history-fetched",
                    ids.SequenceEqual(Enumerable.Range(1, ids.Count).Select(i => (long)i)) && types[0] == EventType.WorkflowExecutionStarted
                        && types[^1] == EventType.WorkflowExecutionCompleted && description.HistoryLength == history.Events.Count
                        && lifecycle == new ActivityLifecycle("Inspect", 1, 1, 0, 1) && result == $"{Part} rejected: {InspectionActivities.CrackMessage(Part)}",
                    $"{history.Events.Count} events (describe: {description.HistoryLength}), {HistoryProbe.Sequence(types)}; {lifecycle}; result \"{result}\"");

                var json = history.ToJson();
                var parsed = JsonNode.Parse(json)?["events"]?.AsArray() ?? [];
                var reparsed = WorkflowHistory.FromJson(handle.Id, json);
                var jsonTypes = parsed.Select(e => e?["eventType"]?.GetValue<string>()).ToList();
                checks.Expect(
                    "json-export",
                    parsed.Count == history.Events.Count && jsonTypes.All(t => !string.IsNullOrEmpty(t)) && HistoryProbe.Types(reparsed).SequenceEqual(types),
                    $"{json.Length} characters of JSON, {parsed.Count} events with types such as {jsonTypes.FirstOrDefault()}; parsed back: {reparsed.Events.Count} events, same sequence {HistoryProbe.Types(reparsed).SequenceEqual(types)}");

                var replay = await HistoryProbe.ReplayAsync([reparsed], o => o.AddWorkflow<InspectedFailureWorkflow>(), checks.Cancellation);
                checks.Expect("json-replays", replay[0].Failure is null, $"replay of the exported JSON: {(replay[0].Failure is null ? "clean" : HistoryProbe.Summarize(replay[0].Failure!))} in {replay[0].Milliseconds:0} ms");

                var failed = parsed.FirstOrDefault(e => e?["eventType"]?.GetValue<string>() == "EVENT_TYPE_ACTIVITY_TASK_FAILED")?["activityTaskFailedEventAttributes"]?["failure"];
                var message = failed?["message"]?.GetValue<string>();
                var stack = failed?["stackTrace"]?.GetValue<string>() ?? string.Empty;
                var cause = failed?["cause"];
                var errorType = failed?["applicationFailureInfo"]?["type"]?.GetValue<string>() ?? cause?["applicationFailureInfo"]?["type"]?.GetValue<string>();
                checks.Expect(
                    "failure-visible",
                    message == InspectionActivities.CrackMessage(Part) && errorType == nameof(InvalidOperationException)
                        && stack.Contains(nameof(InspectionActivities.InspectAsync), StringComparison.Ordinal),
                    $"ActivityTaskFailed in JSON: message \"{message}\", type {errorType ?? "(none)"}, stack trace of {stack.Split('\n').Length} line(s) naming InspectAsync {stack.Contains(nameof(InspectionActivities.InspectAsync), StringComparison.Ordinal)}");

                var changed = await HistoryProbe.ReplayAsync([reparsed], o => o.AddWorkflow<InspectedFailureWorkflowWithDelay>(), checks.Cancellation);
                checks.Expect(
                    "replay-detects-change",
                    changed[0].Failure is WorkflowNondeterminismException,
                    $"replay against the version with a timer first: {(changed[0].Failure is null ? "clean (the change went unnoticed)" : HistoryProbe.Summarize(changed[0].Failure!))}");

                var streamed = new List<EventType>();
                await foreach (var e in handle.FetchHistoryEventsAsync().WithCancellation(checks.Cancellation))
                {
                    streamed.Add(e.EventType);
                }

                checks.Expect("event-stream", streamed.SequenceEqual(types), $"streamed {streamed.Count} events, same sequence {streamed.SequenceEqual(types)}");
                if (server.Ui is { } ui)
                {
                    // What the UI renders its history view from: the UI server's own API, asked for this run. The
                    // failure message and the run id are content only this run has (the app's HTML shell has neither).
                    using var http = new HttpClient { BaseAddress = ui, Timeout = TimeSpan.FromSeconds(10) };
                    var ns = server.Client.Options.Namespace;
                    using var response = await http.GetAsync(new Uri($"/api/v1/namespaces/{ns}/workflows/{Uri.EscapeDataString(handle.Id)}/history?execution.runId={handle.ResultRunId}", UriKind.Relative), checks.Cancellation);
                    var body = await response.Content.ReadAsStringAsync(checks.Cancellation);
                    var rendered = EventCount(response.IsSuccessStatusCode ? body : string.Empty);
                    var names = body.Contains(InspectionActivities.CrackMessage(Part), StringComparison.Ordinal);
                    checks.Expect(
                        "ui-render",
                        response.IsSuccessStatusCode && rendered == history.Events.Count && names,
                        $"UI {ui} history API HTTP {(int)response.StatusCode}: {rendered} events (fetched {history.Events.Count}), shows the failure message {names}");
                }
                else
                {
                    checks.NotRun("ui-render", server.Kind == ServerKind.Dev ? "this dev server was started without a web UI" : $"no web UI to render it: {Servers.WhyNotOn(server.Kind, ServerKind.Dev)}");
                }
            });

        fact.Cite("A workflow's event history can be exported as JSON (the CLI's temporal workflow show -o json, the UI's download) and replayed with the SDK's replayer", "https://docs.temporal.io/develop/dotnet/testing-suite#replay");
        fact.Cite("The Temporal Web UI shows each run's event history, with failures, in timeline, compact and JSON views", "https://docs.temporal.io/web-ui");
        fact.Conclude();
    }

    // An error page or the app's HTML shell is no history: it counts as zero events, so the check fails with evidence.
    private static int EventCount(string body)
    {
        try
        {
            return body.Length == 0 ? 0 : JsonNode.Parse(body)?["history"]?["events"]?.AsArray().Count ?? 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
