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
                if (server.Ui is not { } ui)
                {
                    var why = server.Kind == ServerKind.Dev
                        ? "this dev server was started without a web UI"
                        : $"the {ServerNames.Of(server.Kind)} serves no UI that DurableEval started; {Servers.WhyNotOn(server.Kind, ServerKind.Dev)}";
                    checks.NotRun("ui-serves", why);
                    checks.NotRun("workflow-page", why);
                    return;
                }

                var queue = server.NewTaskQueue("ui");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var options = server.Options("ui", queue);
                options.StaticSummary = Summary;
                var handle = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("ada"), options);
                using var http = new HttpClient { BaseAddress = ui, Timeout = TimeSpan.FromSeconds(10) };
                string root = string.Empty;
                var served = await Eventually.HoldsAsync(
                    async () => (root = await http.GetStringAsync(new Uri("/", UriKind.Relative), checks.Cancellation)).Contains("<html", StringComparison.OrdinalIgnoreCase),
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("ui-serves", served, $"GET {ui}: {root.Length} characters, HTML {served}");

                // The UI is a single-page app: every path, a made-up one included, answers 200 with the same shell,
                // so the page's status proves nothing. What only this workflow has is its data: the UI's API must
                // return this run (id, run id, type), and must not return it for an id that was never started.
                var ns = server.Client.Options.Namespace;
                using var page = await http.GetAsync(new Uri($"/namespaces/{ns}/workflows/{handle.Id}/{handle.ResultRunId}/history", UriKind.Relative), checks.Cancellation);
                var body = await GetBodyAsync(http, $"/api/v1/namespaces/{ns}/workflows/{Uri.EscapeDataString(handle.Id)}?execution.runId={handle.ResultRunId}", checks.Cancellation);
                var absentId = server.NewId("never-started");
                var absent = await GetBodyAsync(http, $"/api/v1/namespaces/{ns}/workflows/{Uri.EscapeDataString(absentId)}", checks.Cancellation);
                bool Names(string text) => text.Contains(handle.Id, StringComparison.Ordinal) && text.Contains(handle.ResultRunId!, StringComparison.Ordinal)
                    && text.Contains(nameof(ManagedLifecycleWorkflow), StringComparison.Ordinal);
                var summaryShown = body.Text.Contains(Summary, StringComparison.Ordinal) || body.Text.Contains(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\"{Summary}\"")), StringComparison.Ordinal);
                checks.Expect(
                    "workflow-page",
                    page.IsSuccessStatusCode && body.Ok && Names(body.Text) && !(absent.Ok && absent.Text.Contains(absentId, StringComparison.Ordinal)),
                    $"workflow page HTTP {(int)page.StatusCode} (the app's shell); UI API HTTP {body.Status}: names the id, run id and type {Names(body.Text)}, summary visible {summaryShown}; for a never-started id HTTP {absent.Status}");
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

    private static async Task<(bool Ok, int Status, string Text)> GetBodyAsync(HttpClient http, string path, CancellationToken cancellation)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellation);
        return (response.IsSuccessStatusCode, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellation));
    }
}
