using System.Diagnostics;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>EX — Execution Semantics: progress, side effects, deduplication, persistence, determinism, replay.</summary>
public sealed partial class ExecutionSemanticsFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    [SkippableFact]
    [Criterion("EX-02")]
    public async Task EX02_SideEffectGuarantee()
    {
        const int Steps = 3;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("results-memoized", "On a worker with no cache (every task replays from history) each activity still ran once"),
                Core("replay-skips-activities", "Replaying the finished run's history runs no activity"),
                Core("at-least-once-visible", "An activity that fails after its side effect is retried, so the raw effect happens twice"),
                Core("dedup-key-once", "A dedup key of workflow id + activity id keeps the external effect to one"),
                Edge("attempt-visible", "The retry is visible as attempt 2, both to the activity and in history"),
            ],
            async (server, checks) =>
            {
                var ledger = new StepLedger();
                var queue = server.NewTaskQueue("effects");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<MemoizedStepsWorkflow>()
                    .AddWorkflow<AtLeastOnceEffectWorkflow>()
                    .AddAllActivities(new LedgerActivities(ledger)));

                var memo = await server.Client.StartWorkflowAsync((MemoizedStepsWorkflow w) => w.RunAsync(Steps), server.Options("memo", queue));
                await memo.GetResultAsync();
                var history = await memo.FetchHistoryAsync();
                var runs = Enumerable.Range(1, Steps).Select(s => ledger.Executions(memo.Id, LedgerActivities.StepName(s))).ToList();
                var tasks = HistoryProbe.Count(history, EventType.WorkflowTaskCompleted);
                checks.Expect(
                    "results-memoized",
                    runs.All(n => n == 1) && HistoryProbe.Count(history, EventType.ActivityTaskCompleted) == Steps && tasks > Steps,
                    $"executions per step {string.Join("/", runs)} across {tasks} workflow tasks, each replayed from history; {HistoryProbe.Count(history, EventType.ActivityTaskCompleted)} ActivityTaskCompleted events");

                var before = ledger.TotalExecutions;
                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<MemoizedStepsWorkflow>(), checks.Cancellation);
                checks.Expect(
                    "replay-skips-activities",
                    replay[0].Failure is null && ledger.TotalExecutions == before,
                    $"replay {(replay[0].Failure is null ? "clean" : "failed: " + replay[0].Failure!.Message)}; ledger executions {before} before, {ledger.TotalExecutions} after");

                var effect = await server.Client.StartWorkflowAsync((AtLeastOnceEffectWorkflow w) => w.RunAsync(), server.Options("effect", queue));
                var result = await effect.GetResultAsync();
                var raw = ledger.RawEffects(effect.Id, LedgerActivities.StepName(1));
                checks.Expect("at-least-once-visible", raw == 2, $"raw effects {raw} for one logical step (result {result})");
                var distinct = ledger.DistinctEffects(effect.Id);
                checks.Expect("dedup-key-once", distinct == 1 && raw > distinct, $"{distinct} effect applied through the dedup key for {raw} raw executions");

                var started = HistoryProbe.FirstOf(await effect.FetchHistoryAsync(), EventType.ActivityTaskStarted)?.ActivityTaskStartedEventAttributes.Attempt;
                checks.Expect("attempt-visible", result.EndsWith("@attempt2", StringComparison.Ordinal) && started == 2, $"activity returned {result}; history ActivityTaskStarted attempt {started}");
            });
        fact.Cite(
            "Activities are executed at least once; exactly-once external effects need an idempotency key, for which the docs recommend workflow run id + activity id.",
            "https://docs.temporal.io/activity-definition#idempotency");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("EX-03")]
    public async Task EX03_IdempotencyDeduplication()
    {
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("duplicate-start-rejected", "Starting a second run with a running workflow's id throws WorkflowAlreadyStartedException"),
                Core("use-existing", "Id conflict policy UseExisting returns the running run instead of starting another"),
                Core("signal-with-start-existing", "Signal-with-start on a running id delivers the signal to that run"),
                Edge("update-id-deduplicated", "An update sent twice with the same update id runs its handler once"),
                Edge("terminate-existing", "Id conflict policy TerminateExisting ends the old run and starts a new one"),
                Edge("reject-duplicate-after-close", "Id reuse policy RejectDuplicate refuses a closed workflow's id"),
                Edge("failed-only-after-success", "Id reuse policy AllowDuplicateFailedOnly refuses the id of a run that succeeded"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("dedup");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<DeduplicatedOrderWorkflow>());
                var options = server.Options("order", queue);
                var first = await server.Client.StartWorkflowAsync((DeduplicatedOrderWorkflow w) => w.RunAsync(), options);

                // Wait for the first task to finish: on the time-skipping server, ending a run before that freezes the clock.
                await Eventually.HoldsAsync(async () => await first.QueryAsync(w => w.Items) == 0, Observe.Bound);

                var duplicate = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync((DeduplicatedOrderWorkflow w) => w.RunAsync(), (WorkflowOptions)options.Clone()));
                checks.Expect("duplicate-start-rejected", duplicate is WorkflowAlreadyStartedException, $"second start: {Observe.Describe(duplicate)}");

                var existing = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting));
                var firstStatus = (await first.DescribeAsync()).Status;
                checks.Expect(
                    "use-existing",
                    existing.ResultRunId == first.ResultRunId && firstStatus == WorkflowExecutionStatus.Running,
                    $"run id {Observe.Short(existing.ResultRunId)} vs first {Observe.Short(first.ResultRunId)}; first run {firstStatus}");

                var signalled = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(),
                    With(options, o => o.SignalWithStart((DeduplicatedOrderWorkflow w) => w.AddItemAsync())));
                var items = await first.QueryAsync(w => w.Items);
                checks.Expect(
                    "signal-with-start-existing",
                    signalled.ResultRunId == first.ResultRunId && items == 1,
                    $"signal-with-start run id {Observe.Short(signalled.ResultRunId)} vs first {Observe.Short(first.ResultRunId)}; items in first run {items}");

                var updateOptions = new WorkflowUpdateOptions($"reserve-{Guid.NewGuid():N}");
                var one = await first.ExecuteUpdateAsync(w => w.ReserveAsync(), updateOptions);
                var two = await first.ExecuteUpdateAsync(w => w.ReserveAsync(), updateOptions);
                var reservations = await first.QueryAsync(w => w.Reservations);
                checks.Expect("update-id-deduplicated", reservations == 1 && one == 1 && two == 1, $"update results {one} and {two}; handler ran {reservations} time(s)");

                var replacement = await server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdConflictPolicy = WorkflowIdConflictPolicy.TerminateExisting));
                var oldStatus = (await server.Client.GetWorkflowHandle(first.Id, first.ResultRunId).DescribeAsync()).Status;
                checks.Expect(
                    "terminate-existing",
                    replacement.ResultRunId != first.ResultRunId && oldStatus == WorkflowExecutionStatus.Terminated,
                    $"new run {Observe.Short(replacement.ResultRunId)}; old run {oldStatus}");

                await Eventually.HoldsAsync(async () => await replacement.QueryAsync(w => w.Items) == 0, Observe.Bound);
                await replacement.SignalAsync(w => w.FinishAsync());
                await replacement.GetResultAsync();

                var rejected = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate)));
                checks.Expect("reject-duplicate-after-close", rejected is WorkflowAlreadyStartedException, $"start after close with RejectDuplicate: {Observe.Describe(rejected)}");

                var failedOnly = await Observe.FailureOfAsync(() => server.Client.StartWorkflowAsync(
                    (DeduplicatedOrderWorkflow w) => w.RunAsync(), With(options, o => o.IdReusePolicy = WorkflowIdReusePolicy.AllowDuplicateFailedOnly)));
                checks.Expect("failed-only-after-success", failedOnly is WorkflowAlreadyStartedException, $"start after success with AllowDuplicateFailedOnly: {Observe.Describe(failedOnly)}");
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("EX-04")]
    public async Task EX04_StatePersistence()
    {
        const string Order = "order-42";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("history-in-order", "The history records every step in order: start, activity, signal, timer, completion"),
                Core("activity-result-recorded", "The activity's result is stored in history and decodes to the value it returned"),
                Core("query-after-worker-replaced", "A query answers the same state from a new worker after the old one is gone"),
                Edge("history-replays", "The recorded history replays with the same code"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("persist");
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<HistoryRecordsEveryStepWorkflow>()
                    .AddActivity(PersistenceActivities.Prepare);

                var first = RunningWorker.Start(server.Client, Options());
                var handle = await server.Client.StartWorkflowAsync((HistoryRecordsEveryStepWorkflow w) => w.RunAsync(Order), server.Options("steps", queue));
                PersistedState? before = null;
                await Eventually.HoldsAsync(async () => (before = await handle.QueryAsync(w => w.State)).Stage == "awaiting-approval", Observe.Bound);
                await first.DisposeAsync();

                await using var second = RunningWorker.Start(server.Client, Options());
                var after = await handle.QueryAsync(w => w.State);
                checks.Expect(
                    "query-after-worker-replaced",
                    before is { Stage: "awaiting-approval" } && after == before,
                    $"state before the swap {before}; from the new worker {after}");

                await handle.SignalAsync(w => w.ApproveAsync());
                var result = await handle.GetResultAsync();
                var history = await handle.FetchHistoryAsync();
                var types = HistoryProbe.Types(history);
                EventType[] expected =
                [
                    EventType.WorkflowExecutionStarted, EventType.ActivityTaskScheduled, EventType.ActivityTaskStarted,
                    EventType.ActivityTaskCompleted, EventType.WorkflowExecutionSignaled, EventType.TimerStarted,
                    EventType.TimerFired, EventType.WorkflowExecutionCompleted,
                ];
                checks.Expect(
                    "history-in-order",
                    types[0] == EventType.WorkflowExecutionStarted && types[^1] == EventType.WorkflowExecutionCompleted && HistoryProbe.ContainsInOrder(types, expected),
                    HistoryProbe.Sequence(types.Where(t => t is not (EventType.WorkflowTaskScheduled or EventType.WorkflowTaskStarted or EventType.WorkflowTaskCompleted))));

                var completed = HistoryProbe.FirstOf(history, EventType.ActivityTaskCompleted);
                var recorded = completed is null ? null : HistoryProbe.DecodeFirst<string>(completed.ActivityTaskCompletedEventAttributes.Result);
                checks.Expect(
                    "activity-result-recorded",
                    recorded == PersistenceActivities.Prepare(Order) && result.StartsWith(recorded, StringComparison.Ordinal),
                    $"ActivityTaskCompleted result decodes to \"{recorded}\"; workflow result \"{result}\"");

                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<HistoryRecordsEveryStepWorkflow>(), checks.Cancellation);
                checks.Expect("history-replays", replay[0].Failure is null, replay[0].Failure?.Message ?? "replayed cleanly");
                HistoryFixtures.SaveIfRecording(Settings.Current, nameof(HistoryRecordsEveryStepWorkflow), history);
            });

        await fact.LiveAsync(
            ServerNeed.RestartableDev,
            [Production("server-restart", "A dev server on a database file, restarted mid-run, keeps the waiting workflow and its state")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("restart");
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue)
                    .AddWorkflow<HistoryRecordsEveryStepWorkflow>()
                    .AddActivity(PersistenceActivities.Prepare);

                string workflowId;
                PersistedState? before = null;
                await using (var worker = RunningWorker.Start(server.Client, Options()))
                {
                    var handle = await server.Client.StartWorkflowAsync((HistoryRecordsEveryStepWorkflow w) => w.RunAsync(Order), server.Options("restart", queue));
                    workflowId = handle.Id;
                    await Eventually.HoldsAsync(async () => (before = await handle.QueryAsync(w => w.State)).Stage == "awaiting-approval", Observe.Bound);
                }

                await server.RestartServerAsync();
                await using var again = RunningWorker.Start(server.Client, Options());
                var resumed = server.Client.GetWorkflowHandle<HistoryRecordsEveryStepWorkflow>(workflowId);
                var after = await resumed.QueryAsync(w => w.State);
                await resumed.SignalAsync(w => w.ApproveAsync());
                var result = await resumed.GetResultAsync<string>();
                checks.Expect(
                    "server-restart",
                    after == before && result == $"{PersistenceActivities.Prepare(Order)}|approved",
                    $"state before restart {before}, after {after}; result {result}");
            });
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("EX-05")]
    public async Task EX05_DeterminismConstraints()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [Core("recorded-draw-replays", "A recorded run that drew time, random and a GUID replays cleanly from its history file")],
            async checks =>
            {
                var history = HistoryFixtures.Load(nameof(DeterministicApisWorkflow));
                if (history is null)
                {
                    checks.NotRun("recorded-draw-replays", $"history file {HistoryFixtures.PathOf(nameof(DeterministicApisWorkflow))} is missing; record it with {Settings.RecordHistoriesVariable}=1");
                    return;
                }

                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<DeterministicApisWorkflow>(), checks.Cancellation);
                checks.Expect("recorded-draw-replays", replay[0].Failure is null, replay[0].Failure?.Message ?? $"{history.Events.Count} events replayed cleanly");
            });

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
                var task = await server.Client.StartWorkflowAsync((ThreadPoolTaskWorkflow w) => w.RunAsync(), server.Options("taskrun", queue));
                var taskFailure = await HistoryProbe.WorkflowTaskFailureAsync(task, Observe.Bound);
                fact.Metric("task_failure_detection_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var taskStatus = (await task.DescribeAsync()).Status;
                checks.Expect(
                    "thread-pool-task-detected",
                    taskFailure is not null && taskStatus == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{taskFailure ?? "none within the bound"}\"; workflow {taskStatus}");

                var delay = await server.Client.StartWorkflowAsync((ThreadPoolDelayWorkflow w) => w.RunAsync(), server.Options("taskdelay", queue));
                var delayFailure = await HistoryProbe.WorkflowTaskFailureAsync(delay, Observe.Bound);
                var delayStatus = (await delay.DescribeAsync()).Status;
                checks.Expect(
                    "thread-pool-delay-detected",
                    delayFailure is not null && delayStatus == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{delayFailure ?? "none within the bound"}\"; workflow {delayStatus}");

                await task.TerminateAsync("DurableEval: probe finished");
                await delay.TerminateAsync("DurableEval: probe finished");
            });
        fact.Cite(
            "Wall-clock time (DateTime.Now), Guid.NewGuid and System.Random inside workflow code are not detected at run time; the SDK documents them as forbidden and relies on review and replay tests.",
            "https://github.com/temporalio/sdk-dotnet#workflow-logic-constraints");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("EX-06")]
    public async Task EX06_DeterminismViolationHandling()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("unchanged-code-replays", "Control: the recorded shipment history replays with the code that recorded it"),
                Core("changed-code-detected", "Replaying it with reordered code raises WorkflowNondeterminismException naming the mismatch"),
            ],
            async checks =>
            {
                var history = HistoryFixtures.Load(ShipmentWorkflow.Name);
                if (history is null)
                {
                    var missing = $"history file {HistoryFixtures.PathOf(ShipmentWorkflow.Name)} is missing; record it with {Settings.RecordHistoriesVariable}=1";
                    checks.NotRun("unchanged-code-replays", missing);
                    checks.NotRun("changed-code-detected", missing);
                    return;
                }

                await ExpectDivergenceDetectedAsync(checks, history, "unchanged-code-replays", "changed-code-detected");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("task-fails-run-survives", "Live, a nondeterministic replay fails the workflow task; the workflow stays open, not corrupted"),
                Core("configurable-failure", "With nondeterminism listed in FailureExceptionTypes, the workflow fails instead"),
                Edge("task-retried", "The failed workflow task is retried rather than given up"),
                Edge("live-history-detected", "A history recorded live with the old code is caught by the replayer against the changed code"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("nondet");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<DivergesOnReplayWorkflow>()
                    .AddWorkflow<DivergenceFailsWorkflow>()
                    .AddWorkflow<ShipmentWorkflow>()
                    .AddActivity(ShipmentActivities.Reserve)
                    .AddActivity(ShipmentActivities.Ship));

                var diverging = await server.Client.StartWorkflowAsync((DivergesOnReplayWorkflow w) => w.RunAsync(), server.Options("diverges", queue));
                var failure = await HistoryProbe.WorkflowTaskFailureAsync(diverging, Observe.Bound);
                var status = (await diverging.DescribeAsync()).Status;
                checks.Expect(
                    "task-fails-run-survives",
                    failure is not null && failure.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase) && status == WorkflowExecutionStatus.Running,
                    $"WorkflowTaskFailed: \"{failure ?? "none within the bound"}\"; workflow {status}");

                var retried = await Eventually.HoldsAsync(() => Task.FromResult(DivergesOnReplayWorkflow.Attempts[diverging.Id] >= 3), Observe.Bound);
                checks.Expect("task-retried", retried, $"run method entered {DivergesOnReplayWorkflow.Attempts[diverging.Id]} times (first execution, then replays of the retried task)");
                await diverging.TerminateAsync("DurableEval: probe finished");

                var failing = await server.Client.StartWorkflowAsync((DivergenceFailsWorkflow w) => w.RunAsync(), server.Options("fails", queue));
                var outcome = await Observe.FailureOfAsync(() => failing.GetResultAsync());
                checks.Expect(
                    "configurable-failure",
                    outcome is WorkflowFailedException { InnerException: { } inner } && inner.Message.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase),
                    $"result: {Observe.DescribeChain(outcome)}");

                var shipment = await server.Client.StartWorkflowAsync((ShipmentWorkflow w) => w.RunAsync("order-7"), server.Options("shipment", queue));
                await shipment.GetResultAsync();
                var history = await shipment.FetchHistoryAsync();
                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ReorderedShipmentWorkflow>(), checks.Cancellation);
                checks.Expect(
                    "live-history-detected",
                    replay[0].Failure is WorkflowNondeterminismException,
                    replay[0].Failure is { } f ? HistoryProbe.Summarize(f) : "replayed cleanly against changed code (not detected)");
                HistoryFixtures.SaveIfRecording(Settings.Current, ShipmentWorkflow.Name, history);
            });
        fact.Cite(
            "Replay does not compare timer durations, activity arguments or results; only the sequence and type of commands is checked.",
            "shared/TEMPORAL-FACTS.md section 3.4 (offline-measured with Temporalio 1.21.1)");
        fact.Conclude();
    }

    [SkippableFact]
    [Criterion("EX-07")]
    public async Task EX07_ReplayAccuracy()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [Core("recorded-histories-replay", "Every history file kept with the tests replays with unchanged code")],
            async checks =>
            {
                var histories = HistoryFixtures.Names().Select(n => HistoryFixtures.Load(n)!).ToList();
                if (histories.Count == 0)
                {
                    checks.NotRun("recorded-histories-replay", $"no history files in {Settings.HistoriesDirectory}; record them with {Settings.RecordHistoriesVariable}=1");
                    return;
                }

                var replays = await HistoryProbe.ReplayAsync(histories, RegisterReplayable, checks.Cancellation);
                fact.Metric("replayed_histories", replays.Count, "histories");
                fact.Metric("replay_ms_max", replays.Skip(1).Select(r => r.Milliseconds).DefaultIfEmpty(replays[0].Milliseconds).Max(), "ms");
                var failed = replays.Where(r => r.Failure is not null).ToList();
                checks.Expect(
                    "recorded-histories-replay",
                    failed.Count == 0,
                    failed.Count == 0
                        ? $"{replays.Count} histories replayed cleanly ({string.Join(", ", HistoryFixtures.Names())})"
                        : string.Join("; ", failed.Select(f => $"{f.WorkflowId}: {HistoryProbe.Summarize(f.Failure!)}")));
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("live-histories-replay", "The completed runs' histories replay with unchanged code"),
                Core("replay-runs-no-activity", "Replay re-executes no activity"),
                Core("uncached-matches-cached", "A worker with no workflow cache gives the same result and query answers as a cached one"),
                Edge("json-round-trip", "A history exported to JSON and read back keeps every event and still replays"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var runs = new List<(string Result, IReadOnlyList<string> Trail, WorkflowHandle Handle)>();
                foreach (var cache in new[] { 10_000, 0 })
                {
                    var queue = server.NewTaskQueue(cache == 0 ? "nocache" : "cached");
                    await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = cache }
                        .AddWorkflow<ReplayCorpusWorkflow>()
                        .AddWorkflow<CorpusChildWorkflow>()
                        .AddAllActivities(new CorpusActivities(counter)));
                    var handle = await server.Client.StartWorkflowAsync((ReplayCorpusWorkflow w) => w.RunAsync("temporal"), server.Options(cache == 0 ? "nocache" : "cached", queue));
                    await handle.SignalAsync(w => w.NoteAsync("noted"));
                    var result = await handle.GetResultAsync();
                    runs.Add((result, await handle.QueryAsync(w => w.Trail), handle));
                }

                var histories = await Task.WhenAll(runs.Select(r => r.Handle.FetchHistoryAsync()));
                var before = counter.Total;
                var replays = await HistoryProbe.ReplayAsync(histories, RegisterReplayable, checks.Cancellation);
                checks.Expect("live-histories-replay", replays.All(r => r.Failure is null), string.Join("; ", replays.Select(r => r.Failure?.Message ?? "clean")));
                checks.Expect("replay-runs-no-activity", counter.Total == before, $"activity invocations {before} before replay, {counter.Total} after");
                checks.Expect(
                    "uncached-matches-cached",
                    runs[0].Result == runs[1].Result && runs[0].Trail.SequenceEqual(runs[1].Trail),
                    $"cached: {runs[0].Result} [{string.Join(",", runs[0].Trail)}]; uncached: {runs[1].Result} [{string.Join(",", runs[1].Trail)}]");

                var json = histories[0].ToJson();
                var reread = WorkflowHistory.FromJson(histories[0].Id, json);
                var rereplay = await HistoryProbe.ReplayAsync([reread], RegisterReplayable, checks.Cancellation);
                checks.Expect(
                    "json-round-trip",
                    reread.Events.Count == histories[0].Events.Count && rereplay[0].Failure is null,
                    $"{histories[0].Events.Count} events exported, {reread.Events.Count} read back ({json.Length} JSON chars); replay {(rereplay[0].Failure is null ? "clean" : rereplay[0].Failure!.Message)}");
                HistoryFixtures.SaveIfRecording(Settings.Current, nameof(ReplayCorpusWorkflow), histories[0]);
            });
        fact.Conclude();
    }

    /// <summary>Every workflow whose recorded history is expected to replay unchanged.</summary>
    private static void RegisterReplayable(WorkflowReplayerOptions options) => options
        .AddWorkflow<ReplayCorpusWorkflow>()
        .AddWorkflow<CorpusChildWorkflow>()
        .AddWorkflow<ShipmentWorkflow>()
        .AddWorkflow<DeterministicApisWorkflow>()
        .AddWorkflow<HistoryRecordsEveryStepWorkflow>();

    private static async Task ExpectDivergenceDetectedAsync(CheckScope checks, WorkflowHistory history, string controlId, string detectedId)
    {
        var control = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ShipmentWorkflow>(), checks.Cancellation);
        checks.Expect(controlId, control[0].Failure is null, control[0].Failure?.Message ?? $"{history.Events.Count} events replayed cleanly");
        var changed = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ReorderedShipmentWorkflow>(), checks.Cancellation);
        var failure = changed[0].Failure;
        checks.Expect(
            detectedId,
            failure is WorkflowNondeterminismException && failure.Message.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase) && failure.Message.Contains("event", StringComparison.OrdinalIgnoreCase),
            failure is null ? "replayed cleanly against changed code (not detected)" : HistoryProbe.Summarize(failure));
    }

    private static WorkflowOptions With(WorkflowOptions options, Action<WorkflowOptions> change)
    {
        var copy = (WorkflowOptions)options.Clone();
        change(copy);
        return copy;
    }
}
