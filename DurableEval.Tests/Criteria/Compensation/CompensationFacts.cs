using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>CP — Compensation &amp; Recovery: sagas, partial resume, manual intervention, dead letters.</summary>
public sealed partial class CompensationFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
