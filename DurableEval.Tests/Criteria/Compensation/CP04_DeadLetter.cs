using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Compensation;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class CompensationFacts
{
    [SkippableFact]
    [Criterion("CP-04")]
    public async Task CP04_DeadLetter()
    {
        const int Attempts = ChargeUntilExhaustedWorkflow.MaximumAttempts;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("exhausted-fails-workflow", $"An activity failing all {Attempts} allowed attempts fails the workflow with a failure naming the activity, retry state MaximumAttemptsReached and the last error"),
                Core("found-by-status", "The failed run is found by status through describe: Failed, with its workflow type"),
                Core("parking-pattern", "Parking instead of failing: the run stays Running with the error visible to a query, and an operator's retry signal resumes it to completion once the cause is fixed"),
            ],
            async (server, checks) =>
            {
                var processor = new PaymentProcessor();
                var queue = server.NewTaskQueue("deadletter");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ChargeUntilExhaustedWorkflow>()
                    .AddWorkflow<ParkOnExhaustionWorkflow>()
                    .AddAllActivities(new PaymentActivities(processor)));

                var exhausted = await server.Client.StartWorkflowAsync((ChargeUntilExhaustedWorkflow w) => w.RunAsync("pay-1"), server.Options("exhausted", queue));
                var failure = await Observe.FailureOfAsync(() => exhausted.GetResultAsync());
                var activity = Observe.Chain(failure).OfType<ActivityFailureException>().FirstOrDefault();
                var cause = Observe.Chain(failure).OfType<ApplicationFailureException>().FirstOrDefault();
                checks.Expect(
                    "exhausted-fails-workflow",
                    failure is WorkflowFailedException && activity?.ActivityType == "ChargeCard" && activity.RetryState == RetryState.MaximumAttemptsReached
                        && cause?.ErrorType == PaymentActivities.Down && processor.AttemptsBy(exhausted.Id) == Attempts,
                    $"{processor.AttemptsBy(exhausted.Id)} attempts; result: {Observe.DescribeChain(failure)}; activity type {activity?.ActivityType ?? "none"}");

                var described = await exhausted.DescribeAsync();
                var failedEvent = HistoryProbe.FirstOf(await exhausted.FetchHistoryAsync(), EventType.WorkflowExecutionFailed);
                checks.Expect(
                    "found-by-status",
                    described.Status == WorkflowExecutionStatus.Failed && described.WorkflowType == nameof(ChargeUntilExhaustedWorkflow) && failedEvent is not null,
                    $"describe: {described.WorkflowType} {described.Status}; closing event {failedEvent?.EventType.ToString() ?? "none"} \"{failedEvent?.WorkflowExecutionFailedEventAttributes.Failure?.Message}\"");

                var parked = await server.Client.StartWorkflowAsync((ParkOnExhaustionWorkflow w) => w.RunAsync("pay-2"), server.Options("parked", queue));
                ParkingState? seen = null;
                var isParked = await Eventually.HoldsAsync(
                    async () => (seen = await parked.QueryAsync(w => w.State)).Parked, Observe.Bound, checks.Cancellation);
                var statusParked = (await parked.DescribeAsync()).Status;
                var attemptsParked = processor.AttemptsBy(parked.Id);
                processor.Healthy = true;
                await parked.SignalAsync(w => w.RetryAsync());
                var parkedResult = await Observe.FailureOfAsync(() => parked.GetResultAsync());
                var after = await parked.QueryAsync(w => w.State);
                checks.Expect(
                    "parking-pattern",
                    isParked && statusParked == WorkflowExecutionStatus.Running && seen!.LastError is { } error && error.Contains("ChargeCard", StringComparison.Ordinal)
                        && error.Contains(nameof(RetryState.MaximumAttemptsReached), StringComparison.Ordinal) && attemptsParked == Attempts
                        && parkedResult is null && !after.Parked && after.Parks == 1 && processor.AttemptsBy(parked.Id) == Attempts + 1,
                    $"parked: {isParked}, run {statusParked}, error \"{seen?.LastError}\" after {attemptsParked} attempts; after the retry signal: {(parkedResult is null ? "completed" : Observe.DescribeChain(parkedResult))}, parks {after.Parks}, attempts {processor.AttemptsBy(parked.Id)}");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [Production("list-and-count-by-status", "Failed runs of a workflow type are listed and counted by status through visibility (the dead letters an operator would re-drive)")],
            async (server, checks) =>
            {
                if (!await checks.RequireAsync(server, ServerFeature.Visibility, Output.WriteLine))
                {
                    return;
                }

                const int Failed = 3;
                var processor = new PaymentProcessor();
                var queue = server.NewTaskQueue("deadletter-list");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ChargeUntilExhaustedWorkflow>()
                    .AddAllActivities(new PaymentActivities(processor)));
                var ids = new List<string>();
                for (var i = 0; i < Failed; i++)
                {
                    var handle = await server.Client.StartWorkflowAsync((ChargeUntilExhaustedWorkflow w) => w.RunAsync($"pay-{i}"), server.Options($"list{i}", queue));
                    await Observe.FailureOfAsync(() => handle.GetResultAsync());
                    ids.Add(handle.Id);
                }

                var query = $"WorkflowType = '{nameof(ChargeUntilExhaustedWorkflow)}' AND ExecutionStatus = 'Failed' AND TaskQueue = '{queue}'";
                var listed = new List<string>();
                long counted = 0;
                var found = await Eventually.HoldsAsync(
                    async () =>
                    {
                        listed.Clear();
                        await foreach (var execution in server.Client.ListWorkflowsAsync(query))
                        {
                            listed.Add(execution.Id);
                        }

                        counted = (await server.Client.CountWorkflowsAsync(query)).Count;
                        return listed.Count == Failed && counted == Failed;
                    },
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect(
                    "list-and-count-by-status",
                    found && listed.Order(StringComparer.Ordinal).SequenceEqual(ids.Order(StringComparer.Ordinal), StringComparer.Ordinal),
                    $"listed {listed.Count} and counted {counted} of {Failed} failed runs with \"{query}\"");
            });

        fact.Finding("Temporal has no dead-letter queue: a run whose retries are exhausted fails and stays findable by status (describe; list and count where visibility exists), or parks itself waiting for an operator signal, which is user code.");
        fact.Cite(
            "Activities are retried by their retry policy; when retries are exhausted the failure is delivered to the workflow, which may fail, compensate, or wait for intervention; there is no built-in dead-letter queue.",
            "https://docs.temporal.io/encyclopedia/retry-policies");
        fact.Conclude();
    }
}
