using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using ApiExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    private const string LifecycleType = nameof(ManagedLifecycleWorkflow);

    [SkippableFact]
    [Criterion("OP-02")]
    public async Task OP02_WorkflowManagementApi()
    {
        const string Owner = "ada";
        string[] signalled = ["disk", "fan", "cable"];
        const int NewPriority = 7;
        const string TerminateReason = "DurableEval: operator terminated a stuck order";
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("start", "Start returns a handle with a run id, and the run's history opens with WorkflowExecutionStarted naming the workflow type, the task queue and the start input"),
                Core("describe", "Describe of a running run reports status Running, the workflow type, the task queue and its run id; on the closed run its history length equals the number of events fetched"),
                Core("signal", "Each signal changes workflow state (seen through a query) and is recorded as a WorkflowExecutionSignaled event with the signal name, in the order sent"),
                Core("query", "A query returns the run's live state: the owner from the start input, every signalled item, the priority set by update; it adds no history event"),
                Core("update", "An update returns the value computed by the workflow from its state (previous priority, items held) and is recorded as accepted and completed"),
                Core("get-result", "Get result returns the summary computed from the start input, the signals and the update"),
                Core("fetch-history", "The fetched history has contiguous event ids, starts with WorkflowExecutionStarted, ends with WorkflowExecutionCompleted and holds one Signaled event per signal"),
                Core("cancel", "Cancel ends a waiting run as Canceled: a CancelRequested then a Canceled event, describe reports Canceled, and the result throws WorkflowFailedException with an inner CanceledFailureException"),
                Core("terminate", "Terminate ends a waiting run as Terminated with the given reason in its WorkflowExecutionTerminated event; describe reports Terminated; the result throws with an inner TerminatedFailureException"),
                Edge("missing-run", "Describe of a workflow id that never existed fails with RpcException NotFound, not an empty description"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("manage");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var latency = new Dictionary<string, double>(StringComparer.Ordinal);
                async Task<T> Timed<T>(string operation, Func<Task<T>> call)
                {
                    var clock = Stopwatch.StartNew();
                    var result = await call();
                    latency[operation] = clock.Elapsed.TotalMilliseconds;
                    return result;
                }

                var handle = await Timed("start", () => server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync(Owner), server.Options("lifecycle", queue)));
                var initial = await WaitForStateAsync(handle, s => s.Owner == Owner, checks.Cancellation);
                var startedEvent = HistoryProbe.FirstOf(await handle.FetchHistoryAsync(), EventType.WorkflowExecutionStarted)?.WorkflowExecutionStartedEventAttributes;
                var startInput = startedEvent is null ? null : HistoryProbe.DecodeFirst<string>(startedEvent.Input);
                checks.Expect(
                    "start",
                    !string.IsNullOrEmpty(handle.ResultRunId) && startedEvent is not null && startedEvent.WorkflowType.Name == LifecycleType
                        && startedEvent.TaskQueue.Name == queue && startInput == Owner,
                    $"run id {Observe.Short(handle.ResultRunId)}; first event names type {startedEvent?.WorkflowType.Name ?? "none"}, "
                        + $"queue matches {startedEvent?.TaskQueue.Name == queue}, input \"{startInput}\"");

                var running = await Timed("describe", () => handle.DescribeAsync());
var afterEach = new List<int>();
                foreach (var item in signalled)
                {
                    await Timed("signal", async () =>
                    {
                        await handle.SignalAsync(w => w.AddItemAsync(item));
                        return 0;
                    });
                    afterEach.Add((await WaitForStateAsync(handle, s => s.Items.Contains(item), checks.Cancellation)).Items.Count);
                }

                var beforeQuery = (await handle.FetchHistoryAsync()).Events.Count;
                var queried = await Timed("query", () => handle.QueryAsync(w => w.State));
                var afterQuery = (await handle.FetchHistoryAsync()).Events.Count;

                var reply = await Timed("update", () => handle.ExecuteUpdateAsync(w => w.ReprioritizeAsync(NewPriority)));
                var expectedReply = ManagedLifecycleWorkflow.UpdateReply(initial.Priority, NewPriority, signalled.Length);
                var afterUpdate = await handle.QueryAsync(w => w.State);

                await handle.SignalAsync(w => w.CloseAsync());
                var result = await Timed("get-result", () => handle.GetResultAsync());
                var expectedResult = ManagedLifecycleWorkflow.Summary(Owner, signalled, NewPriority);
                var history = await Timed("fetch-history", () => handle.FetchHistoryAsync());
                var closed = await handle.DescribeAsync();

                var signalNames = history.Events.Where(e => e.EventType == EventType.WorkflowExecutionSignaled).Select(e => e.WorkflowExecutionSignaledEventAttributes).ToList();
                var itemSignals = signalNames.Where(s => s.SignalName == "AddItem").Select(s => HistoryProbe.DecodeFirst<string>(s.Input)).ToList();
                checks.Expect(
                    "signal",
                    afterEach.SequenceEqual(Enumerable.Range(1, signalled.Length)) && itemSignals.SequenceEqual(signalled)
                        && signalNames.Count == signalled.Length + 1 && signalNames[^1].SignalName == "Close",
                    $"items held after each signal [{string.Join(",", afterEach)}]; history recorded {signalNames.Count} signal(s): "
                        + $"{string.Join(", ", signalNames.Select(s => s.SignalName))} carrying [{string.Join(",", itemSignals)}]");
                checks.Expect(
                    "query",
                    queried.Owner == Owner && queried.Items.SequenceEqual(signalled) && queried.Priority == initial.Priority && !queried.Closed
                        && afterUpdate.Priority == NewPriority && beforeQuery == afterQuery,
                    $"query returned owner {queried.Owner}, items [{string.Join(",", queried.Items)}], priority {queried.Priority}; after the update priority {afterUpdate.Priority}; "
                        + $"history {beforeQuery} events before the query and {afterQuery} after");

                var accepted = HistoryProbe.Count(history, EventType.WorkflowExecutionUpdateAccepted);
                var completedUpdates = HistoryProbe.Count(history, EventType.WorkflowExecutionUpdateCompleted);
                checks.Expect(
                    "update",
                    reply == expectedReply && accepted == 1 && completedUpdates == 1,
                    $"update returned \"{reply}\" (expected \"{expectedReply}\"); history: {accepted} UpdateAccepted, {completedUpdates} UpdateCompleted");
                checks.Expect("get-result", result == expectedResult, $"result \"{result}\" (expected \"{expectedResult}\")");

                var ids = history.Events.Select(e => e.EventId).ToList();
                var contiguous = ids.SequenceEqual(Enumerable.Range(1, ids.Count).Select(i => (long)i));
                var types = HistoryProbe.Types(history);
                checks.Expect(
                    "fetch-history",
                    contiguous && types.Count > 0 && types[0] == EventType.WorkflowExecutionStarted && types[^1] == EventType.WorkflowExecutionCompleted
                        && signalNames.Count == signalled.Length + 1 && closed.HistoryLength == history.Events.Count,
                    $"{history.Events.Count} events, ids contiguous {contiguous}, first {types.FirstOrDefault()}, last {types.LastOrDefault()}; "
                        + $"describe after close: status {closed.Status}, history length {closed.HistoryLength}");
                checks.Expect(
                    "describe",
                    running.Status == WorkflowExecutionStatus.Running && running.WorkflowType == LifecycleType && running.TaskQueue == queue
                        && running.RunId == handle.ResultRunId && running.Id == handle.Id
                        && closed.Status == WorkflowExecutionStatus.Completed && closed.HistoryLength == history.Events.Count,
                    $"while waiting: status {running.Status}, type {running.WorkflowType}, queue matches {running.TaskQueue == queue}, "
                        + $"run id matches {running.RunId == handle.ResultRunId}; after close: status {closed.Status}, history length {closed.HistoryLength} for {history.Events.Count} events fetched");

                var toCancel = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("cancel-me"), server.Options("cancel", queue));

                // Only after the first workflow task completed: a cancel before it leaks a pending task on the test server.
                await WaitForStateAsync(toCancel, s => s.Owner == "cancel-me", checks.Cancellation);
                await Timed("cancel", async () =>
                {
                    await toCancel.CancelAsync();
                    return 0;
                });
                var cancelFailure = await Observe.FailureOfAsync(() => toCancel.GetResultAsync());
                var cancelled = await toCancel.DescribeAsync();
                var cancelTypes = HistoryProbe.Types(await toCancel.FetchHistoryAsync());
                checks.Expect(
                    "cancel",
                    cancelFailure is WorkflowFailedException { InnerException: CanceledFailureException } && cancelled.Status == WorkflowExecutionStatus.Canceled
                        && cancelTypes.Contains(EventType.WorkflowExecutionCancelRequested) && cancelTypes[^1] == EventType.WorkflowExecutionCanceled,
                    $"result: {Observe.DescribeChain(cancelFailure)}; describe {cancelled.Status}; history has CancelRequested {cancelTypes.Contains(EventType.WorkflowExecutionCancelRequested)}, ends {cancelTypes[^1]}");

                var toTerminate = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("terminate-me"), server.Options("terminate", queue));
                await WaitForStateAsync(toTerminate, s => s.Owner == "terminate-me", checks.Cancellation);
                await Timed("terminate", async () =>
                {
                    await toTerminate.TerminateAsync(TerminateReason);
                    return 0;
                });
                var terminateFailure = await Observe.FailureOfAsync(() => toTerminate.GetResultAsync());
                var terminated = await toTerminate.DescribeAsync();
                var terminatedHistory = await toTerminate.FetchHistoryAsync();
                var terminatedEvent = HistoryProbe.FirstOf(terminatedHistory, EventType.WorkflowExecutionTerminated)?.WorkflowExecutionTerminatedEventAttributes;
                checks.Expect(
                    "terminate",
                    terminateFailure is WorkflowFailedException { InnerException: TerminatedFailureException } && terminated.Status == WorkflowExecutionStatus.Terminated
                        && terminatedEvent?.Reason == TerminateReason && HistoryProbe.Types(terminatedHistory)[^1] == EventType.WorkflowExecutionTerminated,
                    $"result: {Observe.DescribeChain(terminateFailure)}; describe {terminated.Status}; terminated event reason \"{terminatedEvent?.Reason ?? "(none)"}\"");

                var missing = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle(server.NewId("never-started")).DescribeAsync());
                checks.Expect("missing-run", missing is RpcException { Code: RpcException.StatusCode.NotFound }, $"describe of an unknown id: {Observe.Describe(missing)}");

                foreach (var (operation, ms) in latency.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    fact.Metric($"{operation.Replace('-', '_')}_ms", ms, "ms");
                }
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Edge("list", "A visibility query by workflow type and task queue lists exactly the runs started, each with its status"),
                Edge("count", "Counting by the same query returns the number of runs started, and GROUP BY ExecutionStatus splits it by status"),
                Edge("delete", "DeleteWorkflowExecution removes a closed run: describe then fails with NotFound"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("visibility");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ManagedLifecycleWorkflow>());
                var done = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("listed"), server.Options("listed-done", queue));
                await done.SignalAsync(w => w.CloseAsync());
                await done.GetResultAsync();
                var open = await server.Client.StartWorkflowAsync((ManagedLifecycleWorkflow w) => w.RunAsync("listed"), server.Options("listed-open", queue));
                var started = new Dictionary<string, WorkflowExecutionStatus>(StringComparer.Ordinal)
                {
                    [done.Id] = WorkflowExecutionStatus.Completed,
                    [open.Id] = WorkflowExecutionStatus.Running,
                };
                var query = $"WorkflowType = '{LifecycleType}' AND TaskQueue = '{queue}'";

                // Each API is probed (visibility) or read from its own answer (delete): a server without it makes
                // only its own checks "not run".
                var visibility = await FeatureProbe.ProbeAsync(server, ServerFeature.Visibility, checks.Cancellation);
                if (visibility.State == FeatureState.Lacking)
                {
                    checks.NotRun("list", visibility.Reason);
                    checks.NotRun("count", visibility.Reason);
                }
                else
                {
                    // Visibility is eventually consistent: poll within the bound, as sdk-dotnet's own list/count tests do.
                    var listed = new Dictionary<string, WorkflowExecutionStatus>(StringComparer.Ordinal);
                    var listedAll = await Eventually.HoldsAsync(
                        async () =>
                        {
                            listed.Clear();
                            await foreach (var run in server.Client.ListWorkflowsAsync(query).WithCancellation(checks.Cancellation))
                            {
                                listed[run.Id] = run.Status;
                            }

                            return listed.Count == started.Count && started.All(s => listed.GetValueOrDefault(s.Key) == s.Value);
                        },
                        Observe.Bound,
                        checks.Cancellation);
                    checks.Expect("list", listedAll, $"query \"{query}\" listed {listed.Count} run(s): {string.Join(", ", listed.Select(l => l.Value.ToString()))} (started {started.Count})");

                    WorkflowExecutionCount? counted = null;
                    WorkflowExecutionCount? grouped = null;
                    var countedAll = await Eventually.HoldsAsync(
                        async () =>
                        {
                            counted = await server.Client.CountWorkflowsAsync(query);
                            grouped = await server.Client.CountWorkflowsAsync(query + " GROUP BY ExecutionStatus");
                            return counted.Count == started.Count && grouped.Groups.Count == 2;
                        },
                        Observe.Bound,
                        checks.Cancellation);
                    checks.Expect(
                        "count",
                        countedAll,
                        $"count {counted?.Count.ToString(CultureInfo.InvariantCulture) ?? "none"} (started {started.Count}); grouped: "
                            + string.Join(", ", grouped?.Groups.Select(g => $"{string.Join("/", g.GroupValues)}={g.Count}") ?? []));
                }

                var deleteRefused = await Observe.FailureOfAsync(() => server.Client.WorkflowService.DeleteWorkflowExecutionAsync(new DeleteWorkflowExecutionRequest
                {
                    Namespace = server.Client.Options.Namespace,
                    WorkflowExecution = new ApiExecution { WorkflowId = done.Id, RunId = done.ResultRunId },
                }));
                var deletion = FeatureProbe.Decide(ServerFeature.Deletion, ServerNames.Of(server.Kind), ProbeAnswer.Of("DeleteWorkflowExecution", deleteRefused, aimedAtNothing: true));
                if (deletion.State == FeatureState.Lacking)
                {
                    checks.NotRun("delete", deletion.Reason);
                    await open.TerminateAsync("DurableEval: visibility check done");
                    return;
                }

                Exception? afterDelete = null;
                var gone = await Eventually.HoldsAsync(
                    async () => (afterDelete = await Observe.FailureOfAsync(() => done.DescribeAsync())) is RpcException { Code: RpcException.StatusCode.NotFound },
                    Observe.Bound,
                    checks.Cancellation);
                checks.Expect("delete", deleteRefused is null && gone, $"DeleteWorkflowExecution: {Observe.Describe(deleteRefused)}; describe after delete: {Observe.Describe(afterDelete)}");
                await open.TerminateAsync("DurableEval: visibility check done");
            });

        fact.Cite(
            "The .NET client manages workflows through handles (describe, signal, query, update, cancel, terminate, fetch history) and lists and counts them with visibility queries",
            "https://docs.temporal.io/develop/dotnet/temporal-client");
        fact.Cite(
            "The time-skipping test server leaves list, count and delete unimplemented; they run on a dev server or a cluster",
            "https://github.com/temporalio/sdk-java/tree/master/temporal-test-server");
        fact.Conclude();
    }

    /// <summary>Polls the lifecycle query until the state satisfies the condition; throws a one-line timeout otherwise.</summary>
    private static async Task<LifecycleState> WaitForStateAsync(WorkflowHandle<ManagedLifecycleWorkflow> handle, Func<LifecycleState, bool> condition, CancellationToken cancellation)
    {
        LifecycleState? state = null;
        var reached = await Eventually.HoldsAsync(async () => condition(state = await handle.QueryAsync(w => w.State)), Observe.Bound, cancellation);
        return reached && state is not null
            ? state
            : throw new TimeoutException($"workflow {handle.Id} never reached the awaited state within {Observe.Bound.TotalSeconds:0} s (last: {state})");
    }
}
