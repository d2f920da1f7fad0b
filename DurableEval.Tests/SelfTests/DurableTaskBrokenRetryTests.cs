using DurableEval.Evaluation;
using DurableEval.Tests.DurableTaskEngine;
using DurableEval.Tests.Evidence;
using DurableEval.Workflows.DurableTask;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Durable Task's "a check fails when the behaviour it checks is broken": RT-01's attempt-count check, the same
/// function the fact calls, run on the in-process host (no network) against an orchestration whose retry policy
/// was dropped, and against the intact one as the control.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class DurableTaskBrokenRetryTests
{
    [Fact]
    public async Task RetryCountCheckFailsWhenTheRetryPolicyIsDropped()
    {
        var broken = await RunCheckAsync(nameof(RetryPolicyDroppedOrchestrator));
        Assert.Equal(CheckOutcome.Failed, broken.Outcome);
        Assert.Contains("activity ran 1 time(s), expected 4", broken.Detail, StringComparison.Ordinal);

        var intact = await RunCheckAsync(nameof(RetriedCallOrchestrator));
        Assert.Equal(CheckOutcome.Passed, intact.Outcome);
    }

    private static async Task<CheckResult> RunCheckAsync(string orchestrator)
    {
        using var exclusive = await InProcessHost.ExclusiveAsync();
        var (host, log) = await InProcessHost.StartAsync(tasks =>
        {
            tasks.AddOrchestrator<RetriedCallOrchestrator>();
            tasks.AddOrchestrator<RetryPolicyDroppedOrchestrator>();
            tasks.AddActivity<FlakyUntilAttemptActivity>();
        });
        await using (host)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var scope = new CheckScope([RetryChecks.SucceedsOnAttemptN], bound.Token);
            await RetryChecks.SucceedsOnAttemptNAsync(new InProcessBlock(host, log, bound.Token), scope, orchestrator);
            return Assert.Single(scope.Complete(null));
        }
    }
}
