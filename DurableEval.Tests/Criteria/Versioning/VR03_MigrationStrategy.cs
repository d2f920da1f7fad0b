using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Shared;
using DurableEval.Workflows.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class VersioningFacts
{
    [SkippableFact]
    [Criterion("VR-03")]
    public async Task VR03_MigrationStrategy()
    {
        const int OldRuns = 2;
        const int NewRuns = 2;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("old-runs-stay-on-old-code", $"Task-queue split: {OldRuns} runs started on the v1 queue finish on v1 code (e-mail) while {NewRuns} runs started on the v2 queue use v2 code (SMS), both versions live at once"),
                Core("continue-as-new-moves-to-new-code", "A long run continued-as-new onto the v2 queue carries its state into v2 code: readings by v1, v2, v2 and the total of all three"),
                Edge("moved-by-history", "The v1 run's history ends in WorkflowExecutionContinuedAsNew naming the v2 queue, and the next run's history starts on it"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var activities = new FulfilmentActivities(counter);
                var v1Queue = server.NewTaskQueue("v1");
                var v2Queue = server.NewTaskQueue("v2");
                // No workflow cache on v1: the run that continues onto the v2 queue must not leave a sticky queue behind.
                await using var v1 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(v1Queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<OrderFulfilmentV1>().AddWorkflow<MeterReadingV1>()
                    .AddAllActivities(activities).AddActivity(MeterActivities.Read));

                // Progress is read from history, not queries: on a loaded machine the time-skipping server left a
                // query to a run whose first workflow task had not completed unanswered until the RPC timed out.
                // The latest run of the id has completed an activity; continuing from the given run when one is named.
                async Task<bool> ReachedAsync(string workflowId, string? continuedFrom = null) => await Eventually.HoldsAsync(
                    async () =>
                    {
                        var events = (await server.Client.GetWorkflowHandle(workflowId).FetchHistoryAsync()).Events;
                        return events.Any(e => e.EventType == EventType.ActivityTaskCompleted)
                            && (continuedFrom is null || events.First().WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId == continuedFrom);
                    },
                    Observe.Bound,
                    checks.Cancellation);

                var old = new List<WorkflowHandle<OrderFulfilmentV1, string>>();
                for (var i = 0; i < OldRuns; i++)
                {
                    var handle = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync($"old-{i}"), server.Options($"old{i}", v1Queue));
                    await ReachedAsync(handle.Id);
                    old.Add(handle);
                }

                var start = new MeterState(Iterations: 3, Iteration: 0, Total: 0, CodeVersions: []);
                var meter = await server.Client.StartWorkflowAsync((MeterReadingV1 w) => w.RunAsync(start), server.Options("meter", v1Queue));
                await ReachedAsync(meter.Id);
                var openBeforeV2 = (await Task.WhenAll(old.Select(h => h.DescribeAsync()))).Count(d => d.Status == WorkflowExecutionStatus.Running);

                // v2 deployed beside v1 on its own queue; v2's fulfilment code sends SMS with no patch at all.
                await using var v2 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(v2Queue)
                    .AddWorkflow<OrderFulfilmentPatchRemoved>().AddWorkflow<MeterReadingV2>()
                    .AddAllActivities(activities).AddActivity(MeterActivities.ReadCalibrated));
                var fresh = new List<WorkflowHandle<OrderFulfilmentV1, string>>();
                for (var i = 0; i < NewRuns; i++)
                {
                    fresh.Add(await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync($"new-{i}"), server.Options($"new{i}", v2Queue)));
                }

                // Results through handles that do not auto-skip time: skipping while the other runs (and the meter)
                // wait for signals would fire their execution timeouts on a time-skipping server.
                var results = new List<string>();
                foreach (var handle in old.Concat(fresh))
                {
                    await handle.SignalAsync(w => w.ShipAsync());
                    results.Add(await server.Client.GetWorkflowHandle(handle.Id).GetResultAsync<string>());
                }

                var expectedOld = Enumerable.Range(0, OldRuns).Select(i => $"email:old-{i}|shipped:old-{i}");
                var expectedNew = Enumerable.Range(0, NewRuns).Select(i => $"sms:new-{i}|shipped:new-{i}");
                checks.Expect(
                    "old-runs-stay-on-old-code",
                    openBeforeV2 == OldRuns && results.SequenceEqual(expectedOld.Concat(expectedNew)),
                    $"{openBeforeV2} of {OldRuns} old runs open when v2 was deployed; results [{string.Join("; ", results)}]");

                await meter.SignalAsync(w => w.AdvanceAsync(v2Queue));
                var moved = await ReachedAsync(meter.Id, continuedFrom: meter.FirstExecutionRunId);
                await meter.SignalAsync(w => w.AdvanceAsync(null));
                var final = await server.Client.GetWorkflowHandle(meter.Id).GetResultAsync<MeterState>();
                string[] expectedVersions = ["v1", "v2", "v2"];
                checks.Expect(
                    "continue-as-new-moves-to-new-code",
                    moved && final.Iteration == 3 && final.Total == 1 + 2 + 3 && final.CodeVersions.SequenceEqual(expectedVersions),
                    $"second run took its reading: {moved}; final state: iteration {final.Iteration}, total {final.Total} (expected 6), readings by [{string.Join(", ", final.CodeVersions)}]");

                var firstRun = await server.Client.GetWorkflowHandle(meter.Id, meter.FirstExecutionRunId).FetchHistoryAsync();
                var continued = firstRun.Events.LastOrDefault()?.WorkflowExecutionContinuedAsNewEventAttributes;
                var secondRun = continued is null ? null : await server.Client.GetWorkflowHandle(meter.Id, continued.NewExecutionRunId).FetchHistoryAsync();
                var secondQueue = secondRun?.Events.FirstOrDefault()?.WorkflowExecutionStartedEventAttributes.TaskQueue.Name;
                checks.Expect(
                    "moved-by-history",
                    continued?.TaskQueue.Name == v2Queue && secondQueue == v2Queue,
                    $"first run ends in {firstRun.Events.LastOrDefault()?.EventType.ToString() ?? "nothing"} onto queue {continued?.TaskQueue.Name ?? "none"}; next run started on {secondQueue ?? "none"}");
                fact.Finding("With a task-queue split nothing drains by itself: the v1 worker has to keep polling the v1 queue until its last run has ended, and knowing when that is needs a visibility query (open runs by task queue) on a full server; long runs only move when their own code continues as new onto the new queue.");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Production("drainage-reported", "With worker deployments, the build that stopped being current is reported Draining while a pinned run is still open on it"),
                Production("open-runs-by-queue", "Visibility counts the open runs left on the old task queue: as many as were started, then none after they finish"),
            ],
            async (server, checks) =>
            {
                if (!await checks.RequireAsync(server, ServerFeature.WorkerDeployments, Output.WriteLine))
                {
                    return;
                }

                var queue = server.NewTaskQueue("drain");
                var deployment = server.NewId("drain");
                var build1 = new WorkerDeploymentVersion(deployment, "1.0");
                var build2 = new WorkerDeploymentVersion(deployment, "2.0");
                await using var worker1 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { DeploymentOptions = new(build1, true) }.AddWorkflow<PinnedOnVersionV1>());
                await using var worker2 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { DeploymentOptions = new(build2, true) }.AddWorkflow<PinnedOnVersionV2>());
                await WorkerDeployments.SetCurrentAsync(server.Client, build1, checks.Cancellation);
                var pinned = await server.Client.StartWorkflowAsync((PinnedOnVersionV1 w) => w.RunAsync(), server.Options("pinned", queue));
                await Eventually.HoldsAsync(async () => (await pinned.FetchHistoryAsync()).Events.Any(e => e.EventType == EventType.WorkflowTaskCompleted), Observe.Bound, checks.Cancellation);
                var openQuery = $"TaskQueue = '{queue}' AND ExecutionStatus = 'Running'";
                long openBefore = 0;
                await Eventually.HoldsAsync(async () => (openBefore = (await server.Client.CountWorkflowsAsync(openQuery)).Count) == 1, Observe.Bound, checks.Cancellation);

                await WorkerDeployments.SetCurrentAsync(server.Client, build2, checks.Cancellation);
                var status = VersionDrainageStatus.Unspecified;
                var draining = await Eventually.HoldsAsync(
                    async () =>
                    {
                        var described = await server.Client.Connection.WorkflowService.DescribeWorkerDeploymentVersionAsync(new DescribeWorkerDeploymentVersionRequest
                        {
                            Namespace = server.Client.Options.Namespace,
                            DeploymentVersion = new() { DeploymentName = build1.DeploymentName, BuildId = build1.BuildId },
                        });
                        status = described.WorkerDeploymentVersionInfo.DrainageInfo?.Status ?? VersionDrainageStatus.Unspecified;
                        return status == VersionDrainageStatus.Draining;
                    },
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("drainage-reported", draining, $"build 1 drainage status {status} while its pinned run is open");

                await pinned.SignalAsync(w => w.FinishAsync());
                await pinned.GetResultAsync();
                long openAfter = -1;
                var drained = await Eventually.HoldsAsync(async () => (openAfter = (await server.Client.CountWorkflowsAsync(openQuery)).Count) == 0, Observe.Bound, checks.Cancellation);
                checks.Expect("open-runs-by-queue", openBefore == 1 && drained, $"open runs on the old queue: {openBefore} while pinned, {openAfter} after it finished");
            });

        fact.Cite(
            "Worker Versioning pins a run to the deployment version it started on (Pinned) or moves it to the current version (AutoUpgrade); a version that is no longer current or ramping reports its drainage status (Draining, then Drained) once no pinned run needs it.",
            "https://docs.temporal.io/production-deployment/worker-deployments/worker-versioning");
        fact.Conclude();
    }
}
