using DurableEval.Tests.Criteria;
using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// Durable Task facts on the in-process test host, one file per criterion. The Temporal server fixture is inherited
/// from the criteria collection and never used: each block starts its own host (<see cref="InProcessHost"/>).
/// </summary>
public sealed partial class InProcessFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
