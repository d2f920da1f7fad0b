using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// PF — Performance &amp; Overhead. Every number carries the method that produced it (N, warm-up, repeats,
/// server, persistence, worker settings); checks compare measurements taken in the same run with each other, or
/// with thresholds stated in <see cref="DurableEval.Evaluation.CriterionThresholds"/>, because the machine is shared and
/// absolute timings are noisy.
/// </summary>
public sealed partial class PerformanceFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
