using DurableEval.Evaluation;
using DurableEval.Tests.DurableTaskEngine;
using DurableEval.Tests.Evidence;
using DurableEval.Workflows.DurableTask;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// SG-01's buffered-event check, the same function the fact calls, run on the in-process host (no network) against
/// an orchestration that hands the buffered event to the wrong wait, and against the intact one as the control.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class DurableTaskBrokenSignalTests
{
    [Fact]
    public async Task BufferedEventCheckFailsWhenEventsAreMisrouted()
    {
        var broken = await RunCheckAsync(nameof(EventsMisroutedOrchestrator));
        Assert.Equal(CheckOutcome.Failed, broken.Outcome);
        Assert.Contains("returned 'late|early'", broken.Detail, StringComparison.Ordinal);

        var intact = await RunCheckAsync(nameof(OutOfOrderEventsOrchestrator));
        Assert.Equal(CheckOutcome.Passed, intact.Outcome);
    }

    private static async Task<CheckResult> RunCheckAsync(string orchestrator)
    {
        using var exclusive = await InProcessHost.ExclusiveAsync();
        var (host, log) = await InProcessHost.StartAsync(tasks =>
        {
            tasks.AddOrchestrator<OutOfOrderEventsOrchestrator>();
            tasks.AddOrchestrator<EventsMisroutedOrchestrator>();
        });
        await using (host)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var scope = new CheckScope([SignalChecks.BufferedBeforeWait], bound.Token);
            await SignalChecks.BufferedBeforeWaitAsync(new InProcessBlock(host, log, bound.Token), scope, orchestrator);
            return Assert.Single(scope.Complete(null));
        }
    }
}
