using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// A block that times out (or that its watcher says cannot progress) is cancelled, waited for within a bound, and
/// sealed: a body that ignores the cancellation cannot change the recorded evidence afterwards. No server needed.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class BlockRunnerTests
{
    private static readonly IReadOnlyList<CheckSpec> Specs =
    [
        CheckSpec.Core("first", "recorded before the hang"),
        CheckSpec.Core("second", "recorded after the hang"),
    ];

    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task ACompletedBlockKeepsItsResults()
    {
        var outcome = await BlockRunner.RunAsync(Specs, scope =>
        {
            scope.Expect("first", true, "one");
            scope.Expect("second", false, "two");
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30), Short);

        Assert.Null(outcome.Error);
        Assert.Equal([CheckOutcome.Passed, CheckOutcome.Failed], outcome.Checks.Select(c => c.Outcome));
    }

    [Fact]
    public async Task ATimedOutBlockIsCancelledAndAwaited()
    {
        var observedCancellation = false;
        var outcome = await BlockRunner.RunAsync(Specs, async scope =>
        {
            scope.Expect("first", true, "before the hang");
            try
            {
                await Task.Delay(Timeout.Infinite, scope.Cancellation);
            }
            catch (OperationCanceledException)
            {
                observedCancellation = true;
                throw;
            }
        }, Short, TimeSpan.FromSeconds(10));

        Assert.True(observedCancellation, "the body never saw its token cancelled");
        Assert.True(outcome.BodyStopped);
        Assert.IsType<TimeoutException>(outcome.Error);
        var checks = outcome.Checks.ToDictionary(c => c.Id);
        Assert.Equal(CheckOutcome.Passed, checks["first"].Outcome);
        Assert.Equal(CheckOutcome.Failed, checks["second"].Outcome);
        Assert.Contains("block exceeded", checks["second"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALateWriteFromABodyThatIgnoresCancellationChangesNothing()
    {
        using var release = new SemaphoreSlim(0);
        Exception? lateWrite = null;
        var bodyEnded = new TaskCompletionSource();
        var outcome = await BlockRunner.RunAsync(Specs, async scope =>
        {
            // Ignores scope.Cancellation on purpose, as a forgotten token would.
            await release.WaitAsync();
            try
            {
                scope.Expect("second", true, "late pass");
            }
            catch (InvalidOperationException e)
            {
                lateWrite = e;
            }

            bodyEnded.SetResult();
        }, Short, Short);

        Assert.False(outcome.BodyStopped);
        Assert.Contains("did not stop", outcome.Error!.Message, StringComparison.Ordinal);
        var recorded = outcome.Checks.Single(c => c.Id == "second");
        Assert.Equal(CheckOutcome.Failed, recorded.Outcome);

        release.Release();
        await bodyEnded.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(lateWrite);
        Assert.Contains("after its block ended", lateWrite!.Message, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Failed, outcome.Checks.Single(c => c.Id == "second").Outcome);
    }

    [Fact]
    public async Task AWatcherThatSeesNoProgressEndsTheBlockWithItsReason()
    {
        var outcome = await BlockRunner.RunAsync(
            Specs,
            async scope => await Task.Delay(Timeout.Infinite, scope.Cancellation),
            TimeSpan.FromMinutes(5),
            TimeSpan.FromSeconds(10),
            async token =>
            {
                await Task.Delay(50, token);
                return "run wf-1: workflow task failed (WorkflowWorkerUnhandledFailure: boom)";
            });

        Assert.True(outcome.BodyStopped);
        Assert.All(outcome.Checks, c =>
        {
            Assert.Equal(CheckOutcome.Failed, c.Outcome);
            Assert.Contains("cannot progress", c.Detail, StringComparison.Ordinal);
            Assert.Contains("WorkflowWorkerUnhandledFailure: boom", c.Detail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AWatcherIsStoppedWhenTheBlockEnds()
    {
        var watcherCancelled = new TaskCompletionSource<bool>();
        await BlockRunner.RunAsync(Specs, scope =>
        {
            scope.Expect("first", true, "one");
            scope.Expect("second", true, "two");
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30), Short, async token =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                watcherCancelled.SetResult(true);
                throw;
            }

            return "never";
        });

        Assert.True(await watcherCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
