using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>OP — Operations: deployment, the management API, storage, scaling, retention, HA and tenant isolation.</summary>
public sealed partial class OperationsFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
