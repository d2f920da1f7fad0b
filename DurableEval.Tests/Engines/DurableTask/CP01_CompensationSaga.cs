using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("CP-01", Engine = "durabletask")]
    public async Task CP01_CompensationSaga()
    {
        var fact = Begin();
        const int Steps = 5;
        const int FailAt = 4;
        const int PauseAfter = 2;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("reverse-order", $"Booking step {FailAt} of {Steps} is rejected: the log shows compensations of steps {FailAt - 1}..1, newest first"),
                Core("each-once", "Each compensation ran exactly once, no step after the failed one was booked, and the rejected step was tried once"),
                Core("original-failure-reported", "The orchestration fails with the original failure: the booking activity's InvalidOperationException naming the step"),
                Core("cancelled-saga-compensates", $"A saga stopped by the operator after {PauseAfter} steps still undoes them (Durable Task's stop is TerminateInstanceAsync: it has no cooperative cancellation)"),
                Edge("first-step-failure-undoes-nothing", "A rejection at step 1 runs no compensation and still reports the failure"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<BookingSagaOrchestrator>();
                tasks.AddActivity<BookStepActivity>();
                tasks.AddActivity<UndoStepActivity>();
            },
            async (block, checks) =>
            {
                IReadOnlyList<string> Entries(string id, string step) => block.Log.For(id).Where(c => c.Step == step).Select(c => c.Detail).ToList();

                var failing = await block.StartAsync("CP-01", nameof(BookingSagaOrchestrator), new SagaPlan(Steps, FailAt, 0));
                var failed = await block.CompletionAsync(failing);
                var undone = Entries(failing, "undo");
                var expectedUndo = Enumerable.Range(1, FailAt - 1).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                checks.Expect("reverse-order", undone.SequenceEqual(expectedUndo), $"compensations [{string.Join(", ", undone)}], expected [{string.Join(", ", expectedUndo)}]");
                var booked = Entries(failing, "book");
                var expectedBook = Enumerable.Range(1, FailAt).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                checks.Expect(
                    "each-once",
                    booked.SequenceEqual(expectedBook) && undone.Distinct().Count() == undone.Count && undone.Count == FailAt - 1,
                    $"booking attempts [{string.Join(", ", booked)}] (expected [{string.Join(", ", expectedBook)}]); compensations [{string.Join(", ", undone)}]");
                var inner = failed.FailureDetails?.InnerFailure ?? failed.FailureDetails;
                checks.Expect(
                    "original-failure-reported",
                    failed.RuntimeStatus == OrchestrationRuntimeStatus.Failed
                        && inner?.ErrorType == typeof(InvalidOperationException).FullName
                        && inner?.ErrorMessage == $"booking rejected at step {FailAt}",
                    $"status {failed.RuntimeStatus}; failure {failed.FailureDetails?.ErrorType}: {failed.FailureDetails?.ErrorMessage}; innermost {inner?.ErrorType}: {inner?.ErrorMessage}");

                var first = await block.StartAsync("CP-01", nameof(BookingSagaOrchestrator), new SagaPlan(Steps, 1, 0));
                var firstDone = await block.CompletionAsync(first);
                checks.Expect(
                    "first-step-failure-undoes-nothing",
                    Entries(first, "undo").Count == 0 && firstDone.RuntimeStatus == OrchestrationRuntimeStatus.Failed,
                    $"compensations {Entries(first, "undo").Count}; status {firstDone.RuntimeStatus}: {firstDone.FailureDetails?.ErrorMessage}");

                var paused = await block.StartAsync("CP-01", nameof(BookingSagaOrchestrator), new SagaPlan(Steps, 0, PauseAfter));
                await Evidence.Eventually.HoldsAsync(() => Task.FromResult(Entries(paused, "book").Count == PauseAfter), InProcessBlock.WaitBound, block.Cancellation);
                await block.Client.TerminateInstanceAsync(paused, "operator stop", block.Cancellation);
                var stopped = await block.CompletionAsync(paused);
                var stoppedUndo = Entries(paused, "undo");
                checks.Expect(
                    "cancelled-saga-compensates",
                    stoppedUndo.Count == PauseAfter,
                    $"stopped after {Entries(paused, "book").Count} booked step(s): status {stopped.RuntimeStatus}, {stoppedUndo.Count} compensation(s) ran; terminate ends the run without running its code, so nothing is undone");
            });
        fact.Conclude();
    }
}
