using DurableEval.Evaluation;
using DurableEval.Tests.DurableTaskEngine;
using DurableEval.Tests.Evidence;
using DurableEval.Workflows.DurableTask;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// RT-03's tripping checks, the same function the fact calls, run on the in-process host (no network) against an
/// orchestration with the circuit breaker left out, which must fail them, and against the intact one as the control.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class DurableTaskBrokenBreakerTests
{
    [Fact]
    public async Task BreakerChecksFailWhenTheBreakerIsLeftOut()
    {
        var broken = await RunChecksAsync(nameof(BreakerLeftOutOrchestrator));
        Assert.All(broken, r => Assert.Equal(CheckOutcome.Failed, r.Outcome));
        Assert.Contains(broken, r => r.Detail.Contains("0 rejected", StringComparison.Ordinal));

        var intact = await RunChecksAsync(nameof(CircuitBreakerOrchestrator));
        Assert.All(intact, r => Assert.Equal(CheckOutcome.Passed, r.Outcome));
    }

    private static async Task<IReadOnlyList<CheckResult>> RunChecksAsync(string orchestrator)
    {
        using var exclusive = await InProcessHost.ExclusiveAsync();
        var (host, log) = await InProcessHost.StartAsync(tasks =>
        {
            tasks.AddOrchestrator<CircuitBreakerOrchestrator>();
            tasks.AddOrchestrator<BreakerLeftOutOrchestrator>();
            tasks.AddActivity<ScriptedDependencyActivity>();
        });
        await using (host)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var scope = new CheckScope([BreakerChecks.OpensAfterThreshold, BreakerChecks.OpenFailsFast], bound.Token);
            await BreakerChecks.TripAsync(new InProcessBlock(host, log, bound.Token), scope, orchestrator);
            var results = scope.Complete(null);
            Assert.Equal(2, results.Count);
            return results;
        }
    }
}
