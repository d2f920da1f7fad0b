using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Compensation;
using Temporalio.Api.Enums.V1;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class CompensationFacts
{
    [SkippableFact]
    [Criterion("CP-01")]
    public async Task CP01_CompensationSaga()
    {
        const int Steps = 4;
        const int FailAt = 3;
        const int CancelAfter = 2;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("reverse-order", $"Booking step {FailAt} of {Steps} is rejected: the ledger shows compensations of steps {FailAt - 1}..1, newest first"),
                Core("each-once", "Each compensation ran exactly once, no step after the failed one was booked, and the rejected step was tried once"),
                Core("original-failure-reported", "The workflow fails with the original failure: the Book activity's BookingRejected error naming the step"),
                Core("cancelled-saga-compensates", $"A saga cancelled after {CancelAfter} steps still undoes them (newest first, on a detached token) and ends Canceled"),
                Edge("compensation-after-cancel-request", "In the cancelled run's history every compensation completes after WorkflowExecutionCancelRequested"),
                Edge("first-step-failure-undoes-nothing", "A rejection at step 1 runs no compensation and still reports the failure"),
            ],
            async (server, checks) =>
            {
                var ledger = new SagaLedger();
                var queue = server.NewTaskQueue("saga");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<TripBookingSaga>()
                    .AddAllActivities(new TripActivities(ledger)));

                static IReadOnlyList<string> Undo(int from) => Enumerable.Range(1, from).Reverse().Select(SagaLedger.Undone).ToList();
                IReadOnlyList<string> Compensations(string id) => ledger.Entries(id).Where(e => e.StartsWith("undo-", StringComparison.Ordinal)).ToList();

                var failing = await server.Client.StartWorkflowAsync((TripBookingSaga w) => w.RunAsync(new SagaPlan(Steps, FailAt)), server.Options("fail", queue));
                var failure = await Observe.FailureOfAsync(() => failing.GetResultAsync());
                var undone = Compensations(failing.Id);
                var expected = Undo(FailAt - 1);
                checks.Expect(
                    "reverse-order",
                    undone.SequenceEqual(expected),
                    $"ledger [{string.Join(", ", ledger.Entries(failing.Id))}]; compensations expected [{string.Join(", ", expected)}]");
                var counts = Enumerable.Range(1, FailAt - 1).Select(s => ledger.Count(failing.Id, SagaLedger.Undone(s))).ToList();
                var laterBookings = Enumerable.Range(FailAt + 1, Steps - FailAt).Sum(s => ledger.Count(failing.Id, SagaLedger.Booked(s)));
                var rejectedTries = ledger.Count(failing.Id, SagaLedger.Booked(FailAt));
                checks.Expect(
                    "each-once",
                    counts.All(n => n == 1) && laterBookings == 0 && rejectedTries == 1,
                    $"compensation runs per step 1..{FailAt - 1}: {string.Join(",", counts)}; bookings after step {FailAt}: {laterBookings}; tries of step {FailAt}: {rejectedTries}");
                var activity = Observe.Chain(failure).OfType<ActivityFailureException>().FirstOrDefault();
                var application = Observe.Chain(failure).OfType<ApplicationFailureException>().FirstOrDefault();
                checks.Expect(
                    "original-failure-reported",
                    failure is WorkflowFailedException && activity?.ActivityType == "Book" && application?.ErrorType == TripActivities.Rejected
                        && application.Message.Contains($"step {FailAt}", StringComparison.Ordinal),
                    $"result: {Observe.DescribeChain(failure)}; activity type {activity?.ActivityType ?? "none"}");

                var first = await server.Client.StartWorkflowAsync((TripBookingSaga w) => w.RunAsync(new SagaPlan(Steps, 1)), server.Options("fail-first", queue));
                var firstFailure = await Observe.FailureOfAsync(() => first.GetResultAsync());
                checks.Expect(
                    "first-step-failure-undoes-nothing",
                    Compensations(first.Id).Count == 0 && Observe.Chain(firstFailure).OfType<ApplicationFailureException>().Any(a => a.ErrorType == TripActivities.Rejected),
                    $"ledger [{string.Join(", ", ledger.Entries(first.Id))}]; result: {Observe.DescribeChain(firstFailure)}");

                // Cancel only once the saga waits after its second booking: then there is something to undo.
                var cancelled = await server.Client.StartWorkflowAsync(
                    (TripBookingSaga w) => w.RunAsync(new SagaPlan(Steps, 0, WaitAfter: CancelAfter)), server.Options("cancel", queue));
                var waiting = await Eventually.HoldsAsync(async () => await cancelled.QueryAsync(w => w.Waiting), Observe.Bound, checks.Cancellation);
                await cancelled.CancelAsync();
                var cancelOutcome = await Observe.FailureOfAsync(() => cancelled.GetResultAsync());
                var status = (await cancelled.DescribeAsync()).Status;
                var cancelUndone = Compensations(cancelled.Id);
                checks.Expect(
                    "cancelled-saga-compensates",
                    waiting && status == WorkflowExecutionStatus.Canceled && cancelOutcome?.InnerException is CanceledFailureException && cancelUndone.SequenceEqual(Undo(CancelAfter)),
                    $"waiting before cancel: {waiting}; status {status}; result: {Observe.DescribeChain(cancelOutcome)}; ledger [{string.Join(", ", ledger.Entries(cancelled.Id))}]");

                var history = await cancelled.FetchHistoryAsync();
                var cancelRequested = HistoryProbe.FirstOf(history, EventType.WorkflowExecutionCancelRequested)?.EventId;
                var compensationIds = ActivityEvents.Scheduled(history, "Compensate").Select(e => e.EventId).ToHashSet();
                var completions = history.Events
                    .Where(e => e.EventType == EventType.ActivityTaskCompleted && compensationIds.Contains(e.ActivityTaskCompletedEventAttributes.ScheduledEventId))
                    .Select(e => e.EventId)
                    .ToList();
                checks.Expect(
                    "compensation-after-cancel-request",
                    cancelRequested is { } requested && completions.Count == CancelAfter && completions.All(c => c > requested),
                    $"WorkflowExecutionCancelRequested at event {cancelRequested?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; compensation completions at events [{string.Join(", ", completions)}]");
            });

        fact.Finding("No saga construct: compensation is ordinary try/catch code that pushes an undo step after each booking; after cancellation the undo activities need a CancellationTokenSource not linked to the workflow's token, or they are cancelled too.");
        fact.Cite(
            "Sagas are implemented in workflow code: register a compensation after each successful step and run them in reverse on failure; a detached cancellation token lets cleanup run after the workflow is cancelled.",
            "https://github.com/temporalio/samples-dotnet/tree/main/src/Saga");
        fact.Conclude();
    }
}
