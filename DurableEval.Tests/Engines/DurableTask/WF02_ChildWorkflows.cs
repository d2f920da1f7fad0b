using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    /// <summary>How long a child is given to reach a state (real time): on this host each transition takes milliseconds.</summary>
    private static readonly TimeSpan ChildSettle = TimeSpan.FromSeconds(1);

    /// <summary>Polls the instance until <paramref name="reached"/> holds or <see cref="ChildSettle"/> passes, and returns its state either way.</summary>
    private static async Task<OrchestrationMetadata?> SettledAsync(InProcessBlock block, string instanceId, Func<OrchestrationMetadata, bool> reached)
    {
        var until = DateTime.UtcNow + ChildSettle;
        while (true)
        {
            var state = await block.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, block.Cancellation);
            if ((state is not null && reached(state)) || DateTime.UtcNow >= until)
            {
                return state;
            }

            await Task.Delay(50, block.Cancellation);
        }
    }

    [SkippableFact]
    [Criterion("WF-02", Engine = "durabletask")]
    public async Task WF02_ChildWorkflows()
    {
        var fact = Begin();
        var ok = new ChildRequest(7, Fail: false);
        var failing = new ChildRequest(3, Fail: true);
        await InProcessHost.RunAsync(
            fact,
            [
                Core("child-result-propagates", $"A sub-orchestration's result ({ok.Value}², computed by the child) reaches the parent that awaited it"),
                Core("child-failure-propagates", "A sub-orchestration's failure reaches the parent as TaskFailedException carrying the child's original error type and message"),
                Core("child-instance-recorded", "Each child is an instance of its own (parent id + \"-child\"), recorded Completed or Failed with its own output or failure (the in-process host keeps no history events; the instance store is what it records)"),
                Edge("child-knows-parent", "The child sees its parent's instance id in context.Parent"),
                Edge("close-terminate", "Terminating the parent with TerminateInstanceOptions.Recursive terminates its running child too"),
                Edge("close-abandon", "A child can be left running when its parent ends (parent close policy Abandon)"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<CallChildOrchestrator>();
                tasks.AddOrchestrator<SquareChildOrchestrator>();
                tasks.AddOrchestrator<WaitingChildOrchestrator>();
                tasks.AddOrchestrator<ParentOfWaitingChildOrchestrator>();
            },
            async (block, checks) =>
            {
                var parent = await block.StartAsync("WF-02", nameof(CallChildOrchestrator), ok);
                var parentDone = await block.CompletionAsync(parent);
                var outcome = parentDone.ReadOutputAs<ParentOutcome>();
                checks.Expect(
                    "child-result-propagates",
                    parentDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && outcome?.Report?.Square == ok.Value * ok.Value,
                    $"parent {parentDone.RuntimeStatus}, received {outcome?.Report?.Square.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}, expected {ok.Value * ok.Value}");
                checks.Expect(
                    "child-knows-parent",
                    outcome?.Report?.ParentInstanceId == parent,
                    $"child saw parent '{outcome?.Report?.ParentInstanceId}', parent is '{parent}'");

                var failParent = await block.StartAsync("WF-02", nameof(CallChildOrchestrator), failing);
                var failDone = await block.CompletionAsync(failParent);
                var caught = failDone.ReadOutputAs<ParentOutcome>();
                var expectedMessage = $"child {failing.Value} failed";
                checks.Expect(
                    "child-failure-propagates",
                    caught?.ExceptionType == nameof(TaskFailedException) && caught.ErrorType == typeof(InvalidOperationException).FullName && caught.ErrorMessage?.Contains(expectedMessage, StringComparison.Ordinal) == true,
                    $"parent {failDone.RuntimeStatus} caught {caught?.ExceptionType} [{caught?.ErrorType}]: {caught?.ErrorMessage}; expected [{typeof(InvalidOperationException).FullName}] containing '{expectedMessage}'");

                var okChild = await block.Client.GetInstanceAsync($"{parent}-child", getInputsAndOutputs: true, block.Cancellation);
                var failChild = await block.Client.GetInstanceAsync($"{failParent}-child", getInputsAndOutputs: true, block.Cancellation);
                checks.Expect(
                    "child-instance-recorded",
                    okChild?.RuntimeStatus == OrchestrationRuntimeStatus.Completed && okChild.ReadOutputAs<ChildReport>()?.Square == ok.Value * ok.Value
                        && failChild?.RuntimeStatus == OrchestrationRuntimeStatus.Failed && failChild.FailureDetails?.ErrorMessage.Contains(expectedMessage, StringComparison.Ordinal) == true,
                    $"child of the first parent: {okChild?.RuntimeStatus.ToString() ?? "unknown"}, output {okChild?.SerializedOutput}; child of the second: {failChild?.RuntimeStatus.ToString() ?? "unknown"}, failure {failChild?.FailureDetails?.ErrorMessage}");

                var waitingParent = await block.StartAsync("WF-02", nameof(ParentOfWaitingChildOrchestrator), "x");
                var waitingChild = $"{waitingParent}-child";
                var childRunning = await SettledAsync(block, waitingChild, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running);
                await block.Client.TerminateInstanceAsync(waitingParent, new TerminateInstanceOptions { Recursive = true }, block.Cancellation);
                var parentEnd = await SettledAsync(block, waitingParent, m => m.IsCompleted);
                var childEnd = await SettledAsync(block, waitingChild, m => m.IsCompleted);
                checks.Expect(
                    "close-terminate",
                    childRunning?.RuntimeStatus == OrchestrationRuntimeStatus.Running
                        && parentEnd?.RuntimeStatus == OrchestrationRuntimeStatus.Terminated && childEnd?.RuntimeStatus == OrchestrationRuntimeStatus.Terminated,
                    $"child {childRunning?.RuntimeStatus.ToString() ?? "unknown"} before the recursive terminate; {ChildSettle.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s after it (real time): parent {parentEnd?.RuntimeStatus.ToString() ?? "unknown"}, child {childEnd?.RuntimeStatus.ToString() ?? "unknown"}");

                checks.NotRun("close-abandon", "cannot be attempted: Durable Task has no parent close policy on a sub-orchestration; a child's fate when its parent ends is set only by a recursive terminate or purge from the client");
            });
        fact.Conclude();
    }
}
