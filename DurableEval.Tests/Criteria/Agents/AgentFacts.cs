using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// AI — model calls, tools and agents as durable workflows, on the .NET AI stack: Microsoft.Extensions.AI's
/// IChatClient (the real OpenAI-compatible client against a scripted loopback endpoint) and Microsoft Agent
/// Framework's ChatClientAgent, with every model and tool call an activity.
/// </summary>
public sealed partial class AgentFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
