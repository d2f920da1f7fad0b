using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using AlreadyExists = DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    private static readonly OrchestrationRuntimeStatus[] Open = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended];

    [SkippableFact]
    [Criterion("EX-03", Engine = "durabletask")]
    public async Task EX03_InstanceIdDeduplication()
    {
        var fact = Begin();
        fact.Finding("Durable Task has no signal-with-start and no 'use existing' conflict policy: a caller raises the event with a second call, or catches the refusal and addresses the running instance by its id");
        await InProcessHost.RunAsync(
            fact,
            [
                Core("duplicate-start-rejected", "Starting a second instance with a running instance's id and dedupe statuses Running/Pending/Suspended throws OrchestrationAlreadyExistsException and leaves the first run's input untouched"),
                Core("reject-duplicate-after-close", "With Completed among the dedupe statuses, a completed instance's id is refused (OrchestrationAlreadyExistsException)"),
                Core("reuse-after-close", "Without Completed among the dedupe statuses, a completed instance's id starts a new run with the new input"),
                Edge("failed-only-after-success", "Dedupe statuses of every state but Failed (reuse only a failed id) refuse the id of a run that succeeded"),
                Edge("default-duplicate-rejected", "With no dedupe statuses given, a start with a running instance's id is refused too (Durable Functions' default, OverridableExistingInstanceStates = NonRunningStates)"),
            ],
            tasks => tasks.AddOrchestrator<AwaitFinishOrchestrator>(),
            async (block, checks) =>
            {
                var id = InProcessBlock.NewId("EX-03");
                await block.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AwaitFinishOrchestrator), "first", new StartOrchestrationOptions(id), block.Cancellation);
                await block.StartedAsync(id);
                await DedupChecks.DuplicateStartRejectedAsync(block, checks, id, o => o.WithDedupeStatuses(Open));

                var defaultDuplicate = await FailureOfAsync(() => block.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AwaitFinishOrchestrator), "default", new StartOrchestrationOptions(id), block.Cancellation));
                var afterDefault = await block.Client.GetInstanceAsync(id, getInputsAndOutputs: true, block.Cancellation);
                checks.Expect(
                    "default-duplicate-rejected",
                    defaultDuplicate is AlreadyExists,
                    $"start without dedupe statuses: {Observe.Describe(defaultDuplicate)}; the instance now has input {afterDefault?.SerializedInput} and status {afterDefault?.RuntimeStatus}");

                await block.StartedAsync(id);
                await block.Client.RaiseEventAsync(id, AwaitFinishOrchestrator.FinishEvent, "done", block.Cancellation);
                await block.CompletionAsync(id);

                var closed = await FailureOfAsync(() => block.Client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(AwaitFinishOrchestrator), "after-close", new StartOrchestrationOptions(id).WithDedupeStatuses([.. Open, OrchestrationRuntimeStatus.Completed]), block.Cancellation));
                checks.Expect("reject-duplicate-after-close", closed is AlreadyExists, $"start after completion with Completed deduplicated: {Observe.Describe(closed)}");

                var allButFailed = Enum.GetValues<OrchestrationRuntimeStatus>().Where(s => s != OrchestrationRuntimeStatus.Failed).ToArray();
                var failedOnly = await FailureOfAsync(() => block.Client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(AwaitFinishOrchestrator), "failed-only", new StartOrchestrationOptions(id).WithDedupeStatuses(allButFailed), block.Cancellation));
                checks.Expect("failed-only-after-success", failedOnly is AlreadyExists, $"start after success, reusing only failed ids: {Observe.Describe(failedOnly)}");

                var reused = await FailureOfAsync(() => block.Client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(AwaitFinishOrchestrator), "second", new StartOrchestrationOptions(id).WithDedupeStatuses(Open), block.Cancellation));
                var second = await block.StartedAsync(id);
                checks.Expect(
                    "reuse-after-close",
                    reused is null && second.SerializedInput == "\"second\"" && second.IsRunning,
                    $"start after completion without Completed deduplicated: {Observe.Describe(reused)}; the instance now has input {second.SerializedInput}, status {second.RuntimeStatus}");
                await block.Client.TerminateInstanceAsync(id, "end of fact", block.Cancellation);
            });
        fact.Conclude();
    }

    /// <summary>The start's exception, or null when it was accepted.</summary>
    private static async Task<Exception?> FailureOfAsync(Func<Task> start)
    {
        try
        {
            await start();
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return e;
        }
    }
}

/// <summary>EX-03's duplicate-start check, written once: the dedupe statuses the start carries are the caller's (a self-test can drop them).</summary>
internal static class DedupChecks
{
    public static async Task DuplicateStartRejectedAsync(InProcessBlock block, CheckScope checks, string runningId, Func<StartOrchestrationOptions, StartOrchestrationOptions> dedupe)
    {
        Exception? duplicate = null;
        try
        {
            await block.Client.ScheduleNewOrchestrationInstanceAsync(nameof(AwaitFinishOrchestrator), "duplicate", dedupe(new StartOrchestrationOptions(runningId)), block.Cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            duplicate = e;
        }

        var after = await block.Client.GetInstanceAsync(runningId, getInputsAndOutputs: true, block.Cancellation);
        checks.Expect(
            "duplicate-start-rejected",
            duplicate is AlreadyExists && after?.SerializedInput == "\"first\"",
            $"second start: {Observe.Describe(duplicate)}; the running instance's input is {after?.SerializedInput} (first run's was \"first\"), status {after?.RuntimeStatus}");
    }
}
