using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("CP-03", Engine = "durabletask")]
    public async Task CP03_ManualIntervention()
    {
        var fact = Begin();
        const string Reason = "operator stop";
        const string Note = "approved by ops-3";
        const int SuspendedMs = 300;
        await InProcessHost.RunAsync(
            fact,
            [
                Core("cancel-seen-and-cleaned-up", "A cancel reaches a paused run, which runs its cleanup activity once and ends (Durable Task has no cancellation request: the cancel is an operator event the code handles)"),
                Core("terminate-ends-with-reason", "TerminateInstanceAsync ends a paused run at once: status Terminated, the reason recorded as its output, no cleanup ran"),
                Core("signal-releases-paused-run", "An event carrying the operator's note releases a paused run, which completes its remaining work under that note: output, custom status and the work activity's note all equal the note sent"),
                Edge("suspend-holds-events", $"SuspendInstanceAsync holds a run: an event raised while it is suspended is not processed ({SuspendedMs} ms, real time); ResumeInstanceAsync lets it complete with that event"),
                Edge("reset-undoes-terminate", "A run terminated by mistake is restarted under the same id (RestartAsync, Durable Task's reset from the start) and can then be released to completion"),
                Edge("rewind-failed-run", "RewindInstanceAsync on a failed run rewinds it to before the failure"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<OperatorPausedOrchestrator>();
                tasks.AddActivity<OperatorStepActivity>();
            },
            async (block, checks) =>
            {
                async Task<string> PausedAsync(string input)
                {
                    var id = await block.StartAsync("CP-03", nameof(OperatorPausedOrchestrator), input);
                    await block.StatusAsync(id, m => m.ReadCustomStatusAs<string>() == OperatorPausedOrchestrator.Paused);
                    return id;
                }

                IReadOnlyList<string> Steps(string id, string step) => block.Log.For(id).Where(c => c.Step == step).Select(c => c.Detail).ToList();

                var cancelled = await PausedAsync("order-c");
                await block.Client.RaiseEventAsync(cancelled, OperatorPausedOrchestrator.CommandEvent, "cancel", block.Cancellation);
                var cancelledDone = await block.CompletionAsync(cancelled);
                checks.Expect(
                    "cancel-seen-and-cleaned-up",
                    cancelledDone.ReadOutputAs<string>() == OperatorPausedOrchestrator.Cancelled && Steps(cancelled, "cleanup").SequenceEqual(["order-c"]) && Steps(cancelled, "work").Count == 0,
                    $"cancel event: status {cancelledDone.RuntimeStatus}, output {cancelledDone.ReadOutputAs<string>()}, cleanup ran {Steps(cancelled, "cleanup").Count} time(s), work {Steps(cancelled, "work").Count}; the status is Completed, not Canceled: the engine has no cancellation state");

                var terminated = await PausedAsync("order-t");
                await block.Client.TerminateInstanceAsync(terminated, Reason, block.Cancellation);
                var terminatedDone = await block.CompletionAsync(terminated);
                checks.Expect(
                    "terminate-ends-with-reason",
                    terminatedDone.RuntimeStatus == OrchestrationRuntimeStatus.Terminated && terminatedDone.ReadOutputAs<string>() == Reason && block.Log.For(terminated).Count == 0,
                    $"status {terminatedDone.RuntimeStatus}, recorded output {terminatedDone.SerializedOutput}, activities run {block.Log.For(terminated).Count}");

                var released = await PausedAsync("order-r");
                await block.Client.RaiseEventAsync(released, OperatorPausedOrchestrator.CommandEvent, $"release:{Note}", block.Cancellation);
                var releasedDone = await block.CompletionAsync(released);
                checks.Expect(
                    "signal-releases-paused-run",
                    releasedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && releasedDone.ReadOutputAs<string>() == Note
                        && releasedDone.ReadCustomStatusAs<string>() == Note && Steps(released, "work").SequenceEqual([Note]),
                    $"status {releasedDone.RuntimeStatus}, output '{releasedDone.ReadOutputAs<string>()}', custom status '{releasedDone.ReadCustomStatusAs<string>()}', work notes [{string.Join(", ", Steps(released, "work"))}] for note '{Note}'");

                var suspended = await PausedAsync("order-s");
                await block.Client.SuspendInstanceAsync(suspended, "hold", block.Cancellation);
                await block.StatusAsync(suspended, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Suspended);
                await block.Client.RaiseEventAsync(suspended, OperatorPausedOrchestrator.CommandEvent, $"release:{Note}", block.Cancellation);
                await Task.Delay(SuspendedMs, block.Cancellation);
                var held = await block.Client.GetInstanceAsync(suspended, getInputsAndOutputs: true, block.Cancellation);
                var workWhileHeld = Steps(suspended, "work").Count;
                await block.Client.ResumeInstanceAsync(suspended, "go on", block.Cancellation);
                var resumed = await block.CompletionAsync(suspended);
                checks.Expect(
                    "suspend-holds-events",
                    held?.RuntimeStatus == OrchestrationRuntimeStatus.Suspended && held.ReadCustomStatusAs<string>() == OperatorPausedOrchestrator.Paused && workWhileHeld == 0
                        && resumed.RuntimeStatus == OrchestrationRuntimeStatus.Completed && resumed.ReadOutputAs<string>() == Note,
                    $"{SuspendedMs} ms after the event (real time) the run was {held?.RuntimeStatus} with status '{held?.ReadCustomStatusAs<string>()}' and {workWhileHeld} work call(s); resumed it ended {resumed.RuntimeStatus} with '{resumed.ReadOutputAs<string>()}'");

                var mistaken = await PausedAsync("order-m");
                await block.Client.TerminateInstanceAsync(mistaken, "by mistake", block.Cancellation);
                await block.CompletionAsync(mistaken);
                var restartedId = await block.Client.RestartAsync(mistaken, restartWithNewInstanceId: false, block.Cancellation);
                await block.StatusAsync(mistaken, m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running && m.ReadCustomStatusAs<string>() == OperatorPausedOrchestrator.Paused);
                await block.Client.RaiseEventAsync(mistaken, OperatorPausedOrchestrator.CommandEvent, $"release:{Note}", block.Cancellation);
                var restartedDone = await block.CompletionAsync(mistaken);
                checks.Expect(
                    "reset-undoes-terminate",
                    restartedId == mistaken && restartedDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && restartedDone.ReadOutputAs<string>() == Note && restartedDone.ReadInputAs<string>() == "order-m",
                    $"restart answered id {(restartedId == mistaken ? "the same" : restartedId)}; the restarted run (input {restartedDone.ReadInputAs<string>()}) ended {restartedDone.RuntimeStatus} with '{restartedDone.ReadOutputAs<string>()}'");

                var failing = await PausedAsync("order-f");
                await block.Client.RaiseEventAsync(failing, OperatorPausedOrchestrator.CommandEvent, "fail", block.Cancellation);
                var failed = await block.CompletionAsync(failing);
                var rewind = await FailureOfAsync(() => block.Client.RewindInstanceAsync(failing, "operator rewind", block.Cancellation));
                if (rewind is NotImplementedException or NotSupportedException || (rewind is Grpc.Core.RpcException rpc && rpc.StatusCode == Grpc.Core.StatusCode.Unimplemented))
                {
                    checks.NotRun("rewind-failed-run", $"a host limitation, not the engine's: this in-memory host answers RewindInstanceAsync with {Evidence.Observe.Describe(rewind)} (the run was {failed.RuntimeStatus}); rewind (a preview feature) is implemented by the Azure Storage and Durable Task Scheduler backends (durable-functions-instance-management#rewind-instances-preview), so this is the host's gap");
                }
                else
                {
                    var after = await block.Client.GetInstanceAsync(failing, block.Cancellation);
                    checks.Expect(
                        "rewind-failed-run",
                        rewind is null && after?.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending,
                        $"rewind: {Evidence.Observe.Describe(rewind)}; the run is now {after?.RuntimeStatus} (was {failed.RuntimeStatus})");
                }
            });
        fact.Conclude();
    }
}
