using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// DX — Developer Experience, measured rather than asserted: lines counted from a file in the repository, start-up
/// and replay timed, error messages quoted, determinism pitfalls run one by one.
/// </summary>
public sealed partial class DeveloperExperienceFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
