using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ObservabilityFacts
{
    [SkippableFact]
    [Criterion("OB-01")]
    public async Task OB01_DashboardUi()
    {
        const string Summary = "Order **ada** awaiting items";
        const string Details = "Started by OB-01 to check that user metadata reaches the UI";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Core("ui-serves", "The dev server's web UI answers GET / over HTTP with an HTML page"),
                Core("workflow-page", "The UI serves a running workflow's page, and its API (the UI's own /api/v1 proxy) returns that workflow by id with its type and status"),
            ],
            async (server, checks) =>
            {
                if (server.Kind != ServerKind.Dev)
                {
                    checks.NotRun("ui-serves", $"the {ServerNames.Of(server.Kind)} serves no UI that DurableEval started");
                    checks.NotRun("workflow-page", $"the {ServerNames.Of(server.Kind)} serves no UI that DurableEval started");
                    return;
                }

                var queue = server.NewTaskQueue("ui");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var options = server.Options("ui", queue);
                options.StaticSummary = Summary;
                var handle = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("ada"), options);
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{DevServers.UiPort}"), Timeout = TimeSpan.FromSeconds(10) };
                string root = string.Empty;
                var served = await Eventually.HoldsAsync(
                    async () => (root = await http.GetStringAsync(new Uri("/", UriKind.Relative), checks.Cancellation)).Contains("<html", StringComparison.OrdinalIgnoreCase),
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("ui-serves", served, $"GET http://127.0.0.1:{DevServers.UiPort}/: {root.Length} characters, HTML {served}");

                var ns = server.Client.Options.Namespace;
                using var page = await http.GetAsync(new Uri($"/namespaces/{ns}/workflows/{handle.Id}/{handle.ResultRunId}/history", UriKind.Relative), checks.Cancellation);
                using var api = await http.GetAsync(new Uri($"/api/v1/namespaces/{ns}/workflows/{Uri.EscapeDataString(handle.Id)}?execution.runId={handle.ResultRunId}", UriKind.Relative), checks.Cancellation);
                var body = await api.Content.ReadAsStringAsync(checks.Cancellation);
                checks.Expect(
                    "workflow-page",
                    page.IsSuccessStatusCode && api.IsSuccessStatusCode && body.Contains(handle.Id, StringComparison.Ordinal) && body.Contains(nameof(ManagedLifecycleWorkflow), StringComparison.Ordinal),
                    $"workflow page HTTP {(int)page.StatusCode}; UI API HTTP {(int)api.StatusCode}, names the id {body.Contains(handle.Id, StringComparison.Ordinal)} and the type {body.Contains(nameof(ManagedLifecycleWorkflow), StringComparison.Ordinal)}");
                await handle.TerminateAsync("DurableEval: UI check done");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Edge("metadata-roundtrip", "User metadata shown in the UI (a run's static summary and details) round-trips through the server: describe returns what start set"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("metadata");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var options = server.Options("metadata", queue);
                options.StaticSummary = Summary;
                options.StaticDetails = Details;
                var handle = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("ada"), options);
                await Eventually.HoldsAsync(async () => (await handle.QueryAsync(w => w.State)).Owner == "ada", Observe.Bound, checks.Cancellation);
                var description = await handle.DescribeAsync();
                var summary = await description.GetStaticSummaryAsync();
                var details = await description.GetStaticDetailsAsync();
                checks.Expect("metadata-roundtrip", summary == Summary && details == Details, $"describe returned summary \"{summary}\" and details \"{details}\" ({ServerNames.Of(server.Kind)})");
                await handle.SignalAsync(w => w.CloseAsync());
                await handle.GetResultAsync();
            });

        fact.Cite("The Temporal Web UI lists workflows and shows each run's history, pending activities, queries and user metadata; the dev server serves it with --ui-port", "https://docs.temporal.io/web-ui");
        fact.Conclude();
    }
}
