using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    [SkippableFact]
    [Criterion("EX-05")]
    public async Task EX05_DeterminismConstraints()
    {
        var fact = Begin();
        // The replayed-values comparison is the live check below (query after completion, no cache): replaying a
        // recorded history alone would pass even for a workflow drawing DateTime.UtcNow and System.Random.
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("deterministic-apis-replay", "Workflow.UtcNow, Random and NewGuid give the same values when the run is replayed (query after completion, no cache)"),
                Core("live-history-replays", "The live run's history replays with the same code"),
                Edge("delay-is-durable-timer", "Workflow.DelayAsync is recorded as a durable timer and moves workflow time"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("apis");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }.AddWorkflow<DeterministicApisWorkflow>());
                var handle = await server.Client.StartWorkflowAsync((DeterministicApisWorkflow w) => w.RunAsync(), server.Options("apis", queue));
                var result = await handle.GetResultAsync();
                var replayed = await handle.QueryAsync(w => w.Sample);
                checks.Expect("deterministic-apis-replay", replayed == result, $"result {result}; replayed query {replayed}");

                var history = await handle.FetchHistoryAsync();
                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<DeterministicApisWorkflow>(), checks.Cancellation);
                checks.Expect("live-history-replays", replay[0].Failure is null, replay[0].Failure?.Message ?? "replayed cleanly");

                var elapsed = result.AfterDelay - result.Started;
                checks.Expect(
                    "delay-is-durable-timer",
                    HistoryProbe.Count(history, EventType.TimerFired) == 1 && elapsed >= TimeSpan.FromSeconds(1),
                    $"{HistoryProbe.Count(history, EventType.TimerStarted)} TimerStarted, {HistoryProbe.Count(history, EventType.TimerFired)} TimerFired; workflow time moved {elapsed.TotalSeconds:0.###} s");
                HistoryFixtures.SaveIfRecording(Settings.Current, nameof(DeterministicApisWorkflow), history);
            });

        // Last: these runs never complete a workflow task, and ending such a run freezes a time-skipping server.
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("thread-pool-task-detected", "A workflow awaiting Task.Run fails its workflow task instead of being silently accepted"),
                Edge("thread-pool-delay-detected", "A workflow sleeping with Task.Delay fails its workflow task too"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("forbidden");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<ThreadPoolTaskWorkflow>()
                    .AddWorkflow<ThreadPoolDelayWorkflow>());

                var clock = Stopwatch.StartNew();
                // Both runs fail their workflow task on purpose: the block's watcher must not end the block on them.
                var taskOptions = server.Options("taskrun", queue);
                var delayOptions = server.Options("taskdelay", queue);
                server.ExpectTaskFailures(taskOptions.Id!);
                server.ExpectTaskFailures(delayOptions.Id!);
                var task = await server.Client.StartWorkflowAsync((ThreadPoolTaskWorkflow w) => w.RunAsync(), taskOptions);
                var taskFailure = await HistoryProbe.WorkflowTaskFailureAsync(task, Observe.Bound);
                fact.Metric("task_failure_detection_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var taskStatus = (await task.DescribeAsync()).Status;
                checks.Expect(
                    "thread-pool-task-detected",
                    IsThreadPoolDetection(taskFailure, TaskRunMessage) && taskStatus == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{taskFailure ?? "none within the bound"}\"; workflow {taskStatus}");

                var delay = await server.Client.StartWorkflowAsync((ThreadPoolDelayWorkflow w) => w.RunAsync(), delayOptions);
                var delayFailure = await HistoryProbe.WorkflowTaskFailureAsync(delay, Observe.Bound);
                var delayStatus = (await delay.DescribeAsync()).Status;
                checks.Expect(
                    "thread-pool-delay-detected",
                    IsThreadPoolDetection(delayFailure, TaskDelayMessage) && delayStatus == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{delayFailure ?? "none within the bound"}\"; workflow {delayStatus}");

                await task.TerminateAsync("DurableEval: probe finished");
                await delay.TerminateAsync("DurableEval: probe finished");
            });
        fact.Cite(
            "Wall-clock time (DateTime.Now), Guid.NewGuid and System.Random inside workflow code are not detected at run time; the SDK documents them as forbidden and relies on review and replay tests.",
            "https://github.com/temporalio/sdk-dotnet#workflow-logic-constraints");
        fact.Conclude();
    }

    // The SDK's own detector messages (WorkflowTracingEventListener): any other task failure (a bug in the probe
    // workflow, a timeout) must not count as the SDK having detected the forbidden call.
    internal const string TaskRunMessage = "not scheduled on workflow scheduler";
    internal const string TaskDelayMessage = "thread transfer task which is non-deterministic";

    internal static bool IsThreadPoolDetection(string? taskFailure, string sdkMessage) =>
        taskFailure is not null && taskFailure.Contains(sdkMessage, StringComparison.Ordinal);
}
