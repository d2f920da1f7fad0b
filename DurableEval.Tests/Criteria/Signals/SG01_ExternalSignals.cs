using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class SignalsEventsFacts
{
    [SkippableFact]
    [Criterion("SG-01")]
    public async Task SG01_ExternalSignals()
    {
        const int Signals = 20;
        const int OfflineSignal = 99;
        const int StartSignal = 7;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("signals-change-state", $"{Signals} signals raise the workflow's signal counter (read by a query) to {Signals}, with {Signals} WorkflowExecutionSignaled events in history"),
                Core("signal-payload-delivered", $"Each of the {Signals} signals reaches the workflow with the number it was sent with (none arrives without it), and each WorkflowExecutionSignaled event records that number as its input"),
                Core("signals-in-order", "A numbered sequence of signals is seen by the workflow in the order it was sent, the order history records"),
                Core("signal-while-no-worker", "A signal sent while no worker runs is stored by the server and delivered once a new worker starts"),
                Core("signal-with-start-new", "Signal-with-start on an id that does not exist starts a run and delivers the signal before the run's first workflow task"),
                Edge("signal-missing-workflow", "A signal to a workflow id that does not exist fails with RpcException NotFound"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("signals");

                // No workflow cache: the time-skipping server never moves work off a stopped worker's sticky queue.
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }.AddWorkflow<SignalsArriveInOrderWorkflow>();

                await using var first = RunningWorker.Start(server.Client, Options());
                var ordered = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), server.Options("ordered", queue));
                await Eventually.HoldsAsync(async () => (await ordered.QueryAsync(w => w.Seen)).Count == 0, Observe.Bound);
                var sent = Enumerable.Range(1, Signals).ToList();
                var clock = Stopwatch.StartNew();
                foreach (var number in sent)
                {
                    await ordered.SignalAsync(w => w.NoteAsync(number));
                }

                fact.Metric("signal_send_mean_ms", clock.Elapsed.TotalMilliseconds / Signals, "ms");
                IReadOnlyList<int> seen = [];
                await Eventually.HoldsAsync(async () => (seen = await ordered.QueryAsync(w => w.Seen)).Count >= Signals, Observe.Bound);
                await ordered.SignalAsync(w => w.FinishAsync());
                var result = await ordered.GetResultAsync();
                var orderedHistory = await ordered.FetchHistoryAsync();
                var recorded = NumbersSignalled(orderedHistory);
                var recordedInputs = RecordedInputs.Signals<int>(orderedHistory, "Note");
                var withoutNumber = result.Count(n => n == SignalsArriveInOrderWorkflow.ArrivedWithoutNumber);
                checks.Expect(
                    "signal-payload-delivered",
                    withoutNumber == 0 && result.Order().SequenceEqual(sent) && recordedInputs.Count == Signals && recordedInputs.All(i => i.Present)
                        && recordedInputs.Select(i => i.Value).Order().SequenceEqual(sent),
                    $"{Signals} signals sent with the numbers {Numbers(sent)}; the workflow received {result.Count - withoutNumber} with their number and {withoutNumber} without; "
                        + $"history recorded {recordedInputs.Count} Note signal(s), {recordedInputs.Count(i => !i.Present)} with no input, numbers {Numbers(recordedInputs.Where(i => i.Present).Select(i => i.Value).ToList())}");
                checks.Expect(
                    "signals-change-state",
                    seen.Count == Signals && result.Count == Signals && recorded.Count == Signals,
                    $"{Signals} sent; counter by query {seen.Count}, in the result {result.Count}; {recorded.Count} WorkflowExecutionSignaled events carrying a number");
                checks.Expect(
                    "signals-in-order",
                    result.SequenceEqual(sent) && recorded.SequenceEqual(sent),
                    $"sent {Numbers(sent)}; workflow saw {Numbers(result)}; history recorded {Numbers(recorded)}");

                var parked = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), server.Options("offline", queue));
                await Eventually.HoldsAsync(async () => (await parked.QueryAsync(w => w.Seen)).Count == 0, Observe.Bound);
                await first.StopAsync();
                await parked.SignalAsync(w => w.NoteAsync(OfflineSignal));
                var whileAway = await parked.FetchHistoryAsync();
                var storedWhileAway = NumbersSignalled(whileAway);
                var lastWhileAway = LastEvent(whileAway);

                await using var second = RunningWorker.Start(server.Client, Options());
                clock.Restart();
                IReadOnlyList<int> delivered = [];
                var arrived = await Eventually.HoldsAsync(async () => (delivered = await parked.QueryAsync(w => w.Seen)).Contains(OfflineSignal), Observe.Bound);
                fact.Metric("offline_signal_delivery_ms", clock.Elapsed.TotalMilliseconds, "ms");
                checks.Expect(
                    "signal-while-no-worker",
                    storedWhileAway.SequenceEqual([OfflineSignal]) && arrived && delivered.SequenceEqual([OfflineSignal]),
                    $"with no worker the history held {storedWhileAway.Count} signal(s) [{Numbers(storedWhileAway)}], last event {lastWhileAway}; after a new worker started the workflow saw [{Numbers(delivered)}]");
                await parked.SignalAsync(w => w.FinishAsync());
                await parked.GetResultAsync();

                var options = server.Options("sws", queue);
                var before = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle(options.Id!).DescribeAsync());
                options.SignalWithStart((SignalsArriveInOrderWorkflow w) => w.NoteAsync(StartSignal));
                var started = await server.Client.StartWorkflowAsync((SignalsArriveInOrderWorkflow w) => w.RunAsync(), options);
                await started.SignalAsync(w => w.FinishAsync());
                var startedResult = await started.GetResultAsync();
                var types = HistoryProbe.Types(await started.FetchHistoryAsync()).ToList();

                // Delivered with the start: the signal is recorded before the first workflow task starts, so the run's code sees it from its first task.
                var firstTask = types.IndexOf(EventType.WorkflowTaskStarted);
                var signalAt = types.IndexOf(EventType.WorkflowExecutionSignaled);
                checks.Expect(
                    "signal-with-start-new",
                    IsNotFound(before) && started.ResultRunId is not null && startedResult.SequenceEqual([StartSignal])
                        && types[0] == EventType.WorkflowExecutionStarted && signalAt > 0 && signalAt < firstTask,
                    $"before: describe gave {Observe.Describe(before)}; after: run {Observe.Short(started.ResultRunId)} saw [{Numbers(startedResult)}]; history begins {HistoryProbe.Sequence(types.Take(firstTask + 1))}");

                var missing = await Observe.FailureOfAsync(() => server.Client.GetWorkflowHandle<SignalsArriveInOrderWorkflow>(server.NewId("missing")).SignalAsync(w => w.NoteAsync(1)));
                checks.Expect("signal-missing-workflow", IsNotFound(missing), $"signal to a missing id: {Observe.Describe(missing)}");
            });
        fact.Conclude();
    }
}
