using System.Text.Json;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Api.Enums.V1;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    [SkippableFact]
    [Criterion("DX-02")]
    public async Task DX02_LanguageSupport()
    {
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("start-by-name", $"A workflow started by its type name \"{OrderIntakeWorkflow.Name}\" with untyped arguments (a dictionary, no .NET type) runs and returns the typed result"),
                Core("payload-plain-json", "Its input and result payloads are encoding json/plain with a plain JSON body a generic parser reads"),
                Edge("undeclared-type-served", "A workflow type no .NET class declares (as a type defined in another language) is served by a dynamic workflow, which receives the type name and the untyped input intact"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("byname");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<OrderIntakeWorkflow>());
                var untyped = new Dictionary<string, object> { ["Id"] = "o-1", ["Qty"] = 3 };
                var handle = await server.Client.StartWorkflowAsync(OrderIntakeWorkflow.Name, [untyped], server.Options("byname", queue));
                var result = await handle.GetResultAsync<JsonElement>();
                var id = result.TryGetProperty("Id", out var i) ? i.GetString() : null;
                var qty = result.TryGetProperty("Qty", out var q) ? q.GetInt32() : -1;
                var by = result.TryGetProperty("AcceptedBy", out var b) ? b.GetString() : null;
                checks.Expect("start-by-name", id == "o-1" && qty == 3 && by == OrderIntakeWorkflow.Name, $"result {result.GetRawText()}");

                var history = await handle.FetchHistoryAsync();
                var input = HistoryProbe.FirstOf(history, EventType.WorkflowExecutionStarted)?.WorkflowExecutionStartedEventAttributes.Input?.Payloads_.FirstOrDefault();
                var output = HistoryProbe.FirstOf(history, EventType.WorkflowExecutionCompleted)?.WorkflowExecutionCompletedEventAttributes.Result?.Payloads_.FirstOrDefault();
                string Encoding(Temporalio.Api.Common.V1.Payload? p) => p is not null && p.Metadata.TryGetValue("encoding", out var e) ? e.ToStringUtf8() : "none";
                string Body(Temporalio.Api.Common.V1.Payload? p) => p?.Data.ToStringUtf8() ?? string.Empty;
                bool IsJsonObject(string text)
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(text);
                        return doc.RootElement.ValueKind == JsonValueKind.Object;
                    }
                    catch (JsonException)
                    {
                        return false;
                    }
                }

                checks.Expect(
                    "payload-plain-json",
                    Encoding(input) == "json/plain" && Encoding(output) == "json/plain" && IsJsonObject(Body(input)) && IsJsonObject(Body(output)),
                    $"input {Encoding(input)} {Body(input)}; result {Encoding(output)} {Body(output)}");
                // Next level: the .NET side serves a type it never declared, as a polyglot system's worker would.
                var foreignType = "IntakeFromPython-" + server.NewId("type")[^8..];
                var dynamicQueue = server.NewTaskQueue("anytype");
                await using (RunningWorker.Start(server.Client, new TemporalWorkerOptions(dynamicQueue).AddWorkflow<AnyTypeIntakeWorkflow>()))
                {
                    var foreign = new Dictionary<string, object> { ["Id"] = "o-7", ["Qty"] = 11 };
                    var served = await server.Client.StartWorkflowAsync(foreignType, [foreign], server.Options("anytype", dynamicQueue));
                    var receipt = await served.GetResultAsync<JsonElement>();
                    var servedId = receipt.TryGetProperty("Id", out var si) ? si.GetString() : null;
                    var servedQty = receipt.TryGetProperty("Qty", out var sq) && sq.TryGetInt32(out var qv) ? qv : -1;
                    var servedAs = receipt.TryGetProperty("AcceptedBy", out var sb) ? sb.GetString() : null;
                    checks.Expect(
                        "undeclared-type-served",
                        servedId == "o-7" && servedQty == 11 && servedAs == foreignType,
                        $"started type \"{foreignType}\" with {{Id: o-7, Qty: 11}}; result {receipt.GetRawText()}");
                }

                fact.Finding($"Payload bodies are plain JSON ({Body(input)}) with .NET's PascalCase property names by default; Python and TypeScript code usually expects snake_case or camelCase, so cross-language work sets a JsonSerializerOptions naming policy on the payload converter.");
            });

        fact.Cite("Temporal ships official SDKs for Go, Java, Python, TypeScript, .NET, PHP and Ruby; workflows and activities written in one can be called from another through the shared protocol and JSON payloads.", "https://docs.temporal.io/encyclopedia/temporal-sdks");
        fact.Conclude();
    }
}
