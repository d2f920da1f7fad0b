using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Compensation;
using DurableEval.Workflows.Shared;
using RawExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class CompensationFacts
{
    [SkippableFact]
    [Criterion("CP-03")]
    public async Task CP03_ManualIntervention()
    {
        const string TerminateReason = "ops: duplicate order, stopped by hand";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("cancel-seen-and-cleaned-up", "CancelAsync on a paused run: the workflow sees it, runs its cleanup activity once, and ends Canceled"),
                Core("terminate-ends-with-reason", "TerminateAsync ends a paused run at once: status Terminated, the reason in history, the result throws a terminated failure, no cleanup ran"),
                Core("signal-releases-paused-run", "A signal carrying the operator's note releases a paused run, which then completes its remaining work under that note: the run's result, its queried note and the WorkflowExecutionSignaled input all equal the note sent"),
                Edge("update-unsticks-run", "An update tells a run stuck on a forever-failing call to skip it and the run completes"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("operator");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<PausedUntilReleasedWorkflow>()
                    .AddWorkflow<StuckOnDownstreamWorkflow>()
                    .AddAllActivities(new OperatorActivities(counter)));
                int Runs(WorkflowHandle h, string activity) => counter[OperatorActivities.Key(h.Id, activity)];

                // Every intervention waits until the run is paused: its first workflow task has completed (ending a
                // run before that freezes a time-skipping server) and there is something to intervene on.
                async Task<WorkflowHandle<PausedUntilReleasedWorkflow, string>> PausedAsync(string purpose)
                {
                    var handle = await server.Client.StartWorkflowAsync((PausedUntilReleasedWorkflow w) => w.RunAsync(), server.Options(purpose, queue));
                    await Eventually.HoldsAsync(async () => await handle.QueryAsync(w => w.State) == "paused", Observe.Bound, checks.Cancellation);
                    return handle;
                }

                var cancelled = await PausedAsync("cancel");
                await cancelled.CancelAsync();
                var cancelOutcome = await Observe.FailureOfAsync(() => cancelled.GetResultAsync());
                var cancelStatus = (await cancelled.DescribeAsync()).Status;
                checks.Expect(
                    "cancel-seen-and-cleaned-up",
                    cancelStatus == WorkflowExecutionStatus.Canceled && cancelOutcome?.InnerException is CanceledFailureException && Runs(cancelled, "Cleanup") == 1 && Runs(cancelled, "Work") == 0,
                    $"status {cancelStatus}; result: {Observe.DescribeChain(cancelOutcome)}; cleanup ran {Runs(cancelled, "Cleanup")}x, remaining work {Runs(cancelled, "Work")}x");

                var terminated = await PausedAsync("terminate");
                await terminated.TerminateAsync(TerminateReason);
                var terminateOutcome = await Observe.FailureOfAsync(() => terminated.GetResultAsync());
                var terminateStatus = (await terminated.DescribeAsync()).Status;
                var terminatedEvent = HistoryProbe.FirstOf(await terminated.FetchHistoryAsync(), EventType.WorkflowExecutionTerminated);
                checks.Expect(
                    "terminate-ends-with-reason",
                    terminateStatus == WorkflowExecutionStatus.Terminated && terminateOutcome is WorkflowFailedException { InnerException: TerminatedFailureException }
                        && terminatedEvent?.WorkflowExecutionTerminatedEventAttributes.Reason == TerminateReason && Runs(terminated, "Cleanup") == 0,
                    $"status {terminateStatus}; result: {Observe.DescribeChain(terminateOutcome)}; history reason \"{terminatedEvent?.WorkflowExecutionTerminatedEventAttributes.Reason ?? "no terminated event"}\"; cleanup ran {Runs(terminated, "Cleanup")}x");

                var released = await PausedAsync("release");
                var note = $"ops: released after ticket {Guid.NewGuid():N}"[..36];
                await released.SignalAsync(w => w.ReleaseAsync(note));
                string? releaseValue = null;
                var releaseResult = await Observe.FailureOfAsync(async () => releaseValue = await released.GetResultAsync());
                var receivedNote = await released.QueryAsync(w => w.ReleaseNote);
                var recordedNotes = RecordedInputs.Signals<string>(await released.FetchHistoryAsync(), "Release");
                checks.Expect(
                    "signal-releases-paused-run",
                    releaseResult is null && releaseValue == note && receivedNote == note && await released.QueryAsync(w => w.State) == "released" && Runs(released, "Work") == 1
                        && recordedNotes.Count == 1 && recordedNotes[0].Present && recordedNotes[0].Value == note,
                    $"sent note \"{note}\"; after the signal: {(releaseResult is null ? $"completed with \"{releaseValue}\"" : Observe.DescribeChain(releaseResult))}, state {await released.QueryAsync(w => w.State)}, "
                        + $"the run received note \"{receivedNote ?? "none"}\", history recorded [{string.Join(", ", recordedNotes)}]; remaining work ran {Runs(released, "Work")}x");

                var stuck = await server.Client.StartWorkflowAsync((StuckOnDownstreamWorkflow w) => w.RunAsync(), server.Options("stuck", queue));
                var failing = await Eventually.HoldsAsync(() => Task.FromResult(Runs(stuck, "CallDownstream") >= 2), Observe.Bound, checks.Cancellation);
                var accepted = await stuck.ExecuteUpdateAsync(w => w.SkipAsync("ops: downstream retired"));
                var stuckResult = await stuck.GetResultAsync();
                var attemptsAtEnd = Runs(stuck, "CallDownstream");
                checks.Expect(
                    "update-unsticks-run",
                    failing && accepted == "skip accepted" && stuckResult == "skipped: ops: downstream retired" && (await stuck.DescribeAsync()).Status == WorkflowExecutionStatus.Completed,
                    $"call failed {attemptsAtEnd}x before the update; update answered \"{accepted}\"; result \"{stuckResult}\"");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Edge("reset-undoes-terminate", "A run terminated by mistake is reset (raw ResetWorkflowExecution RPC) to its first workflow task and can then be released to completion"),
                Edge("activity-pause", "PauseActivity (raw RPC) marks a stuck run's retrying activity paused in the pending-activity description"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("operator-full");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<PausedUntilReleasedWorkflow>()
                    .AddWorkflow<StuckOnDownstreamWorkflow>()
                    .AddAllActivities(new OperatorActivities(counter)));
                var service = server.Client.Connection.WorkflowService;
                var ns = server.Client.Options.Namespace;

                // Each operator API is probed first: a server without it makes only its own check "not run".
                var resetServed = await FeatureProbe.ProbeAsync(server, ServerFeature.Reset, checks.Cancellation);
                if (resetServed.State == FeatureState.Lacking)
                {
                    checks.NotRun("reset-undoes-terminate", resetServed.Reason);
                }
                else
                {
                    var mistaken = await server.Client.StartWorkflowAsync((PausedUntilReleasedWorkflow w) => w.RunAsync(), server.Options("mistake", queue));
                    await Eventually.HoldsAsync(async () => await mistaken.QueryAsync(w => w.State) == "paused", Observe.Bound, checks.Cancellation);
                    await mistaken.TerminateAsync("ops: terminated the wrong run");
                    var history = await mistaken.FetchHistoryAsync();
                    var firstTask = HistoryProbe.FirstOf(history, EventType.WorkflowTaskCompleted)!.EventId;
                    var reset = await service.ResetWorkflowExecutionAsync(new ResetWorkflowExecutionRequest
                    {
                        Namespace = ns,
                        WorkflowExecution = new RawExecution { WorkflowId = mistaken.Id, RunId = mistaken.ResultRunId },
                        WorkflowTaskFinishEventId = firstTask,
                        Reason = "ops: undo the mistaken terminate",
                        RequestId = Guid.NewGuid().ToString(),
                    });
                    var revived = server.Client.GetWorkflowHandle<PausedUntilReleasedWorkflow>(mistaken.Id, reset.RunId);
                    await Eventually.HoldsAsync(async () => await revived.QueryAsync(w => w.State) == "paused", Observe.Bound, checks.Cancellation);
                    await revived.SignalAsync(w => w.ReleaseAsync("ops: release the revived run"));
                    var revivedResult = await Observe.FailureOfAsync(() => revived.GetResultAsync<string>());
                    checks.Expect(
                        "reset-undoes-terminate",
                        reset.RunId != mistaken.ResultRunId && revivedResult is null,
                        $"reset to event {firstTask} gave run {Observe.Short(reset.RunId)}; after release: {(revivedResult is null ? "completed" : Observe.DescribeChain(revivedResult))}");
                }

                var pauseServed = await FeatureProbe.ProbeAsync(server, ServerFeature.ActivityPause, checks.Cancellation);
                if (pauseServed.State == FeatureState.Lacking)
                {
                    checks.NotRun("activity-pause", pauseServed.Reason);
                    return;
                }

                var stuck = await server.Client.StartWorkflowAsync((StuckOnDownstreamWorkflow w) => w.RunAsync(), server.Options("pause", queue));
                await Eventually.HoldsAsync(() => Task.FromResult(counter[OperatorActivities.Key(stuck.Id, "CallDownstream")] >= 1), Observe.Bound, checks.Cancellation);
                await service.PauseActivityAsync(new PauseActivityRequest
                {
                    Namespace = ns,
                    Execution = new RawExecution { WorkflowId = stuck.Id },
                    Type = "CallDownstream",
                    Reason = "ops: pause until the downstream is back",
                });
                var paused = await Eventually.HoldsAsync(
                    async () => (await service.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
                    {
                        Namespace = ns,
                        Execution = new RawExecution { WorkflowId = stuck.Id },
                    })).PendingActivities.Any(p => p.Paused),
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("activity-pause", paused, paused ? "pending CallDownstream activity described as paused" : "the pending activity was never described as paused");
                await stuck.ExecuteUpdateAsync(w => w.SkipAsync("ops: done probing"));
                await stuck.GetResultAsync();
            });

        fact.Cite(
            "Cancellation is delivered to the workflow, which can clean up; termination ends the execution immediately without running workflow code, recording the reason.",
            "https://docs.temporal.io/develop/dotnet/cancellation");
        fact.Conclude();
    }
}
