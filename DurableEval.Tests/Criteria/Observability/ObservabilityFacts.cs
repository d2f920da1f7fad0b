using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>OB — Observability: UI, metrics, history, tracing, alert signals and logging, captured with the ecosystem's own libraries.</summary>
public sealed partial class ObservabilityFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
