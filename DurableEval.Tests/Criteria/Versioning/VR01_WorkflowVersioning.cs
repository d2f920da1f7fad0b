using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Shared;
using DurableEval.Workflows.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class VersioningFacts
{
    private const string FulfilmentFolder = "Versioning";

    // The lifecycle of one change: v1 code, the patched v2, the patch deprecated, the patch call removed.
    private static readonly (string Code, Type Workflow)[] FulfilmentCode =
    [
        ("v1", typeof(OrderFulfilmentV1)),
        ("patched", typeof(OrderFulfilmentPatched)),
        ("deprecated", typeof(OrderFulfilmentPatchDeprecated)),
        ("removed", typeof(OrderFulfilmentPatchRemoved)),
    ];

    // Histories recorded live by each stage's code (a v1 run, a new run on patched code, a run on deprecated code).
    private static readonly string[] FulfilmentHistories = ["v1", "patched", "deprecated"];

    [SkippableFact]
    [Criterion("VR-01")]
    public async Task VR01_WorkflowVersioning()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("patched-code-replays-old-and-new", "The patched code replays a history recorded by v1 (before the change) and one recorded by itself"),
                Core("unpatched-change-caught", "The same change without a patch fails replay of the v1 history with WorkflowNondeterminismException"),
                Core("deprecated-replays-both", "With the patch deprecated the code replays both the patched history and its own"),
                Edge("rollback-caught", "Rolling back to v1 code is caught on a history that took the patched branch"),
                Edge("removal-after-deprecation", "Removing the patch call replays deprecated-marker histories and is caught on a non-deprecated marker"),
            ],
            async checks =>
            {
                var histories = FulfilmentHistories.ToDictionary(h => h, h => HistoryFixtures.Load($"{FulfilmentFolder}/{OrderFulfilmentBase.TypeName}-{h}"));
                if (histories.Values.Any(h => h is null))
                {
                    var missing = $"history files missing under {Path.Combine(Settings.HistoriesDirectory, FulfilmentFolder)} ({string.Join(", ", histories.Where(h => h.Value is null).Select(h => h.Key))}); record them with {Settings.RecordHistoriesVariable}=1 and a server";
                    foreach (var id in new[] { "patched-code-replays-old-and-new", "unpatched-change-caught", "deprecated-replays-both", "rollback-caught", "removal-after-deprecation" })
                    {
                        checks.NotRun(id, missing);
                    }

                    return;
                }

                var matrix = new Dictionary<(string Code, string History), Exception?>();
                foreach (var (code, workflow) in FulfilmentCode)
                {
                    foreach (var name in FulfilmentHistories)
                    {
                        var replay = await HistoryProbe.ReplayAsync([histories[name]!], o => o.AddWorkflow(workflow), checks.Cancellation);
                        matrix[(code, name)] = replay[0].Failure;
                    }
                }

                string Cell(string code, string history) => matrix[(code, history)] is { } f
                    ? $"{code} code x {history} history: {HistoryProbe.Summarize(f)}"
                    : $"{code} code x {history} history: replays";
                bool Replays(string code, string history) => matrix[(code, history)] is null;
                bool Caught(string code, string history) => matrix[(code, history)] is WorkflowNondeterminismException;

                checks.Expect("patched-code-replays-old-and-new", Replays("patched", "v1") && Replays("patched", "patched"), $"{Cell("patched", "v1")}; {Cell("patched", "patched")}");
                checks.Expect("unpatched-change-caught", Caught("removed", "v1"), Cell("removed", "v1"));
                checks.Expect("deprecated-replays-both", Replays("deprecated", "patched") && Replays("deprecated", "deprecated"), $"{Cell("deprecated", "patched")}; {Cell("deprecated", "deprecated")}");
                checks.Expect("rollback-caught", Caught("v1", "patched"), Cell("v1", "patched"));
                checks.Expect("removal-after-deprecation", Replays("removed", "deprecated") && Caught("removed", "patched"), $"{Cell("removed", "deprecated")}; {Cell("removed", "patched")}");

                fact.Metric("patch_matrix_replays", matrix.Count(c => c.Value is null), "of " + matrix.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " cells");
                fact.Finding("Patch matrix (code x recorded history): " + string.Join("; ", matrix.Select(c => c.Value is null ? $"{c.Key.Code} x {c.Key.History} replays" : $"{c.Key.Code} x {c.Key.History} {c.Value.GetType().Name}")) + ".");
                if (Caught("deprecated", "v1"))
                {
                    fact.Finding($"Deprecating the patch while v1 runs are still open is itself a breaking change: {Cell("deprecated", "v1")}. Deprecate only after the old runs have drained.");
                }
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("in-flight-run-keeps-old-branch", "A run started on a v1 worker and finished by a patched worker completes on the old (e-mail) branch: no SMS sent, e-mail sent once, no patch marker"),
                Core("new-run-takes-new-path", "A new run on the patched worker takes the SMS branch and its history records one core_patch marker whose details name the patch id the code passed to Patched"),
                Edge("change-version-search-attribute", "The new run's history upserts TemporalChangeVersion naming the patch"),
                Edge("unpatched-swap-caught-live", "The same swap to code changed without a patch fails the workflow task with nondeterminism and sends no SMS"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var activities = new FulfilmentActivities(counter);

                // No workflow cache on the v1 workers: they are stopped mid-run, and a time-skipping server never
                // moves work off a stopped worker's sticky queue.
                RunningWorker Start(string queue, Type workflow, int cache = 10_000) => RunningWorker.Start(
                    server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = cache }.AddWorkflow(workflow).AddAllActivities(activities));

                async Task<bool> NotifiedAsync(WorkflowHandle handle) => await Eventually.HoldsAsync(
                    async () => (await handle.QueryAsync<string>("Stage", [])).StartsWith("notified:", StringComparison.Ordinal), Observe.Bound, checks.Cancellation);

                async Task<(string Result, WorkflowHistory History)> ShipAndFinishAsync(WorkflowHandle<OrderFulfilmentV1, string> handle)
                {
                    await handle.SignalAsync(w => w.ShipAsync());

                    // A handle from GetWorkflowHandle does not auto-skip time: skipping while another run waits for
                    // its signal would fire that run's execution timeout on a time-skipping server.
                    var result = await server.Client.GetWorkflowHandle(handle.Id).GetResultAsync<string>();
                    return (result, await handle.FetchHistoryAsync());
                }

                int Runs(WorkflowHandle handle, string activity) => counter[FulfilmentActivities.Key(handle.Id, activity)];

                var swapQueue = server.NewTaskQueue("swap");
                var unpatchedQueue = server.NewTaskQueue("swap-unpatched");
                var v1Worker = Start(swapQueue, typeof(OrderFulfilmentV1), cache: 0);
                var v1UnpatchedWorker = Start(unpatchedQueue, typeof(OrderFulfilmentV1), cache: 0);
                var v1Run = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync("order-v1"), server.Options("v1", swapQueue));
                await NotifiedAsync(v1Run);
                var (_, v1History) = await ShipAndFinishAsync(v1Run);

                var swapped = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync("order-swap"), server.Options("swap", swapQueue));
                var unpatchedOptions = server.Options("unpatched", unpatchedQueue);
                server.ExpectTaskFailures(unpatchedOptions.Id!);
                var unpatched = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync("order-unpatched"), unpatchedOptions);
                var parked = await NotifiedAsync(swapped) && await NotifiedAsync(unpatched);
                await v1Worker.DisposeAsync();
                await v1UnpatchedWorker.DisposeAsync();

                await using var patchedWorker = Start(swapQueue, typeof(OrderFulfilmentPatched));
                await using var removedWorker = Start(unpatchedQueue, typeof(OrderFulfilmentPatchRemoved));
                if (!parked)
                {
                    checks.NotRun("in-flight-run-keeps-old-branch", "the v1 runs never reached the notified stage before the swap, so no in-flight run was swapped");
                    checks.NotRun("unpatched-swap-caught-live", "the v1 runs never reached the notified stage before the swap, so no in-flight run was swapped");
                }
                else
                {
                    var (swapResult, swapHistory) = await ShipAndFinishAsync(swapped);
                    var swapMarker = ReplayGate.PatchMarker(swapHistory);
                    checks.Expect(
                        "in-flight-run-keeps-old-branch",
                        swapResult == "email:order-swap|shipped:order-swap" && Runs(swapped, "NotifyByEmail") == 1 && Runs(swapped, "NotifyBySms") == 0 && swapMarker is null,
                        $"result {swapResult}; e-mail sent {Runs(swapped, "NotifyByEmail")}x, SMS {Runs(swapped, "NotifyBySms")}x; patch marker {(swapMarker is null ? "absent" : "present")}");

                    await unpatched.SignalAsync(w => w.ShipAsync());
                    var taskFailure = await HistoryProbe.WorkflowTaskFailureAsync(unpatched, Observe.Bound);
                    var status = (await unpatched.DescribeAsync()).Status;
                    checks.Expect(
                        "unpatched-swap-caught-live",
                        taskFailure is not null && taskFailure.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase) && status == WorkflowExecutionStatus.Running && Runs(unpatched, "NotifyBySms") == 0,
                        $"WorkflowTaskFailed: \"{taskFailure ?? "none within the bound"}\"; workflow {status}; SMS sent {Runs(unpatched, "NotifyBySms")}x");
                    await unpatched.TerminateAsync("DurableEval: probe finished");
                }

                var fresh = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync("order-new"), server.Options("new", swapQueue));
                await NotifiedAsync(fresh);
                var (freshResult, freshHistory) = await ShipAndFinishAsync(fresh);
                // Every core_patch marker, whatever it carries: the patch id is read from its details and compared with
                // the id the code passed, so a marker recorded without its details is seen here, not later as a
                // nondeterminism error when the run replays.
                var patchMarkers = MarkerContents.Markers(freshHistory, MarkerContents.PatchMarker);
                var patchIds = patchMarkers.Select(m => ReplayGate.PatchOf(m).Id).ToList();
                checks.Expect(
                    "new-run-takes-new-path",
                    freshResult == "sms:order-new|shipped:order-new" && Runs(fresh, "NotifyBySms") == 1 && Runs(fresh, "NotifyByEmail") == 0
                        && patchIds.Count == 1 && patchIds[0] == OrderFulfilmentBase.PatchId,
                    $"result {freshResult}; SMS sent {Runs(fresh, "NotifyBySms")}x, e-mail {Runs(fresh, "NotifyByEmail")}x; "
                        + (patchMarkers.Count == 0
                            ? "no core_patch marker"
                            : $"{patchMarkers.Count} core_patch marker(s), detail keys [{string.Join("; ", patchMarkers.Select(MarkerContents.DetailKeys))}], patch id [{string.Join(", ", patchIds.Select(id => id ?? "none"))}] (expected {OrderFulfilmentBase.PatchId})"));

                var upserts = freshHistory.Events
                    .Where(e => e.EventType == EventType.UpsertWorkflowSearchAttributes)
                    .Select(e => e.UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes.IndexedFields.TryGetValue("TemporalChangeVersion", out var v) ? v.Data.ToStringUtf8() : null)
                    .OfType<string>()
                    .ToList();
                checks.Expect(
                    "change-version-search-attribute",
                    upserts.Any(u => u.Contains(OrderFulfilmentBase.PatchId, StringComparison.Ordinal)),
                    upserts.Count == 0 ? "no UpsertWorkflowSearchAttributes with TemporalChangeVersion" : $"TemporalChangeVersion upserted as {string.Join(", ", upserts)}");

                // A run on the deprecated code: its history is the third stage the offline matrix replays.
                var deprecatedQueue = server.NewTaskQueue("deprecated");
                await using var deprecatedWorker = Start(deprecatedQueue, typeof(OrderFulfilmentPatchDeprecated));
                var deprecated = await server.Client.StartWorkflowAsync((OrderFulfilmentV1 w) => w.RunAsync("order-deprecated"), server.Options("deprecated", deprecatedQueue));
                await NotifiedAsync(deprecated);
                var (_, deprecatedHistory) = await ShipAndFinishAsync(deprecated);
                var deprecatedMarker = ReplayGate.PatchMarker(deprecatedHistory);
                fact.Finding($"A run on the deprecated code records {(deprecatedMarker is null ? "no patch marker" : $"{ReplayGate.Describe(deprecatedMarker)} with deprecated={ReplayGate.PatchOf(deprecatedMarker).Deprecated}")}.");

                HistoryFixtures.SaveIfRecording(Settings.Current, $"{FulfilmentFolder}/{OrderFulfilmentBase.TypeName}-v1", v1History);
                HistoryFixtures.SaveIfRecording(Settings.Current, $"{FulfilmentFolder}/{OrderFulfilmentBase.TypeName}-patched", freshHistory);
                HistoryFixtures.SaveIfRecording(Settings.Current, $"{FulfilmentFolder}/{OrderFulfilmentBase.TypeName}-deprecated", deprecatedHistory);
            });

        await DeploymentVersioningAsync(fact);
        fact.Cite(
            "Workflow.Patched returns true and records a marker when not replaying, and during replay returns whether the marker is in history, so running workflows keep the old branch; DeprecatePatch lets the old branch be removed once no run that needs it is left.",
            "https://docs.temporal.io/develop/dotnet/versioning#patching");
        fact.Conclude();
    }

    /// <summary>
    /// Worker deployment versioning, written from sdk-dotnet's WorkerWithDeploymentOptions_FollowsVersioningBehavior:
    /// two builds of one deployment poll one queue; a pinned run stays on the build it started on, an auto-upgrade
    /// run moves to the build made current while it waits.
    /// </summary>
    private static Task DeploymentVersioningAsync(FactRecorder fact) => fact.LiveAsync(
        ServerNeed.Full,
        [
            Production("pinned-stays-on-version", "A pinned run started on build 1 finishes on build 1 after build 2 becomes current"),
            Production("auto-upgrade-moves", "An auto-upgrade run started on build 1 finishes on build 2 once build 2 is current"),
        ],
        async (server, checks) =>
        {
            if (!await checks.RequireAsync(server, ServerFeature.WorkerDeployments))
            {
                return;
            }

            var queue = server.NewTaskQueue("deployments");
            var deployment = server.NewId("deployment");
            var build1 = new WorkerDeploymentVersion(deployment, "1.0");
            var build2 = new WorkerDeploymentVersion(deployment, "2.0");
            await using var worker1 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { DeploymentOptions = new(build1, true) }
                .AddWorkflow<PinnedOnVersionV1>().AddWorkflow<UpgradesOnVersionV1>());
            await using var worker2 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { DeploymentOptions = new(build2, true) }
                .AddWorkflow<PinnedOnVersionV2>().AddWorkflow<UpgradesOnVersionV2>());

            await WorkerDeployments.SetCurrentAsync(server.Client, build1, checks.Cancellation);
            var pinned = await server.Client.StartWorkflowAsync((PinnedOnVersionV1 w) => w.RunAsync(), server.Options("pinned", queue));
            var upgrading = await server.Client.StartWorkflowAsync((UpgradesOnVersionV1 w) => w.RunAsync(), server.Options("upgrading", queue));

            // Both runs must have completed a first task on build 1 before the switch, or the test proves nothing.
            await Eventually.HoldsAsync(
                async () => (await pinned.FetchHistoryAsync()).Events.Any(e => e.EventType == EventType.WorkflowTaskCompleted)
                    && (await upgrading.FetchHistoryAsync()).Events.Any(e => e.EventType == EventType.WorkflowTaskCompleted),
                Observe.Bound,
                checks.Cancellation);
            await WorkerDeployments.SetCurrentAsync(server.Client, build2, checks.Cancellation);
            await pinned.SignalAsync(w => w.FinishAsync());
            await upgrading.SignalAsync(w => w.FinishAsync());
            var pinnedResult = await pinned.GetResultAsync();
            var upgradedResult = await upgrading.GetResultAsync();
            checks.Expect("pinned-stays-on-version", pinnedResult == "v1", $"pinned run finished on build {pinnedResult}");
            checks.Expect("auto-upgrade-moves", upgradedResult == "v2", $"auto-upgrade run finished on build {upgradedResult}");
        });
}
