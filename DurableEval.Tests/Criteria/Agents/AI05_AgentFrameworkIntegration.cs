using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Testing;
using Xunit;
using static DurableEval.Tests.Criteria.Agents.AgentScripts;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-05")]
    public async Task AI05_AgentFrameworkIntegration()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [Core("framework-hands-back-tool-calls", "Microsoft Agent Framework's ChatClientAgent, given the tools as declarations only, returns the model's tool calls (names and arguments) from one model request instead of running them in-process")],
            async checks =>
            {
                await using var host = AgentHost.Start(ProposeThenAnswer([Call("c1", AgentToolbox.Weather, "{\"city\":\"Paris\"}"), Call("c2", AgentToolbox.OrderStatus, "{\"orderId\":\"A-17\"}")]));
                var turn = await new ActivityEnvironment().RunAsync(() => host.Models.AgentTurnAsync(
                    new AgentTurnInput("Use the tools.", [AgentToolbox.Weather, AgentToolbox.OrderStatus], [AgentMessage.User("Weather in Paris and order A-17?")])));
                var tools = host.Endpoint.Seen.SelectMany(r => r.Tools).Distinct().Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "framework-hands-back-tool-calls",
                    host.Endpoint.Requests == 1 && turn.Calls.Count == 2 && turn.Calls[0] == new ToolCallRequest("c1", AgentToolbox.Weather, "{\"city\":\"Paris\"}") && turn.Calls[1].Name == AgentToolbox.OrderStatus
                        && tools.SequenceEqual(new[] { AgentToolbox.Weather, AgentToolbox.OrderStatus }.Order(StringComparer.Ordinal)),
                    $"{host.Endpoint.Requests} model request(s) declaring tools [{string.Join(", ", tools)}]; calls handed back: {string.Join("; ", turn.Calls.Select(c => $"{c.CallId} {c.Name} {c.ArgumentsJson}"))}");
            });
        fact.Conclude();
    }
}
