using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// A finished worker-kill run: the observation the oracles judge, the final histories, how long it took, and how
/// its workers connected (<see cref="WorkerConnection.Describe"/>: what was set, never a secret value).
/// </summary>
public sealed record KillRun(KillRunObservation Observation, IReadOnlyList<WorkflowHistory> Histories, TimeSpan Elapsed, int WorkerProcesses, string WorkerConnection)
{
    public KillRunVerdicts Verdicts { get; } = ReliabilityOracles.Evaluate(Observation);
}

/// <summary>
/// The worker-kill protocol (DESIGN.md, "Reliability checks done properly"): N workflows of K journaled steps run
/// by a DurableEval.Worker process; following a seeded schedule, the worker is killed hard (SIGKILL of its
/// process tree) at moments when the journal shows a step of it started and not completed, and a fresh process
/// takes over; a stuck detector ends a run that stops progressing, with a dump of the pending work. Every worker
/// process is killed on the way out, whatever happened. The loop is engine-neutral (<see cref="KillDriver"/>); this
/// class is Temporal's side of it, and Durable Task's Azure Storage provider has its own beside its facts.
/// </summary>
public static class KillProtocol
{
    public static async Task<KillRun> RunAsync(ServerLease server, KillProtocolOptions options, Action<string> log, CancellationToken cancellation)
    {
        var seed = options.Seed ?? Random.Shared.Next();
        var schedule = KillSchedule.Plan(seed, options.Kills, options.TotalSteps, options.MaxKillDelayMilliseconds);
        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-ledger-{Guid.NewGuid():N}.db");
        var queue = server.NewTaskQueue("kill");
        // The worker connects exactly as this client did (TLS, API key, metadata, namespace), whatever server and
        // environment configuration the fixture resolved; the settings go to its standard input, not its arguments.
        var connection = WorkerConnection.From(server.Client);
        var ns = connection.Namespace;
        var workers = new List<WorkerProcess>();
        var clock = Stopwatch.StartNew();
        log($"kill protocol: {options.Workflows} workflows x {options.Steps} steps, {schedule.Count} kills after "
            + $"{string.Join("/", schedule.Select(k => k.AfterCompletedSteps))} completed steps, seed {seed}, cache {(options.Cache ? "on" : "off")}; "
            + $"workers connect as the test's client does: {connection.Describe()}");

        WorkerProcess StartWorker()
        {
            var worker = WorkerProcess.Start(new WorkerLaunch(connection, queue, ledger, options.Cache, $"worker-{workers.Count + 1}"));
            workers.Add(worker);
            return worker;
        }

        var journal = StepJournal.Open(ledger);
        try
        {
            StartWorker();

            // Result waits with auto time skipping off. Each auto-skipping GetResultAsync unlocks the server's
            // time-skipping lock once while the server holds one lock per pending activity or workflow task; N
            // concurrent waits drop N locks, so the clock can skip while work is still pending and fire its
            // timeouts. Everything here runs in real time, so there is nothing to skip.
            var (outcomes, stall, exit) = await server.Environment.WithAutoTimeSkippingDisabledAsync(
                () => KillDriver.DriveAsync(new TemporalKillEngine(server, options, journal, queue, ns), options, schedule, journal, StartWorker, () => workers[^1], workers, log, cancellation));

            var histories = await Task.WhenAll(outcomes.Select(o => server.Client.GetWorkflowHandle(o.WorkflowId).FetchHistoryAsync(
                new WorkflowHistoryEventFetchOptions { Rpc = new RpcOptions { CancellationToken = cancellation } })));
            var counted = outcomes.Select((o, i) => o with
            {
                ScheduledActivities = HistoryProbe.Count(histories[i], EventType.ActivityTaskScheduled),
                Activities = HistoryActivities(histories[i]),
            }).ToList();
            log($"histories fetched at {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
            var observation = new KillRunObservation(seed, options.Steps, schedule, journal.ReadAll(), counted, stall, exit);
            log($"kill protocol finished in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s with {workers.Count} worker processes");
            return new KillRun(observation, histories, clock.Elapsed, workers.Count, connection.Describe());
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            journal.Dispose();
            foreach (var file in new[] { ledger, ledger + "-wal", ledger + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Temporal's side of the protocol: starts the workflows, waits for their results, describes open ones.</summary>
    private sealed class TemporalKillEngine(ServerLease server, KillProtocolOptions options, StepJournal journal, string queue, string ns) : IKillEngine
    {
        public async Task<IReadOnlyList<KillInstance>> StartAsync(CancellationToken cancellation)
        {
            var starts = Enumerable.Range(0, options.Workflows).Select(i =>
            {
                var workflowOptions = server.Options($"kill-w{i}", queue);
                workflowOptions.TaskTimeout = options.WorkflowTaskTimeout;
                return (Index: i, Options: workflowOptions);
            }).ToList();
            var handles = await Task.WhenAll(starts.Select(s => server.Client.StartWorkflowAsync(
                (StepsSurviveWorkerKillWorkflow w) => w.RunAsync(new KillRunInput(s.Index, options.Steps, options.WorkMilliseconds, (int)options.StepTimeout.TotalMilliseconds)),
                s.Options)));
            return handles.Select((h, i) => new KillInstance(h.Id, stop => WaitAsync(h, i, options.Steps, journal, stop))).ToList();
        }

        public Task<IReadOnlyList<string>> DescribeOpenAsync(IReadOnlyList<string> open, CancellationToken cancellation) => DescribeAsync(server, ns, open);
    }

    private static async Task<WorkflowOutcome> WaitAsync(
        WorkflowHandle<StepsSurviveWorkerKillWorkflow, string> handle, int index, int steps, StepJournal journal, CancellationToken stop)
    {
        var expected = StepsSurviveWorkerKillWorkflow.Expected(index, steps);
        try
        {
            var result = await handle.GetResultAsync(rpcOptions: new RpcOptions { CancellationToken = stop });
            journal.ResultReceived(handle.Id, result);
            return new WorkflowOutcome(index, handle.Id, expected, result, null);
        }
        catch (Exception e) when (e is TemporalException or OperationCanceledException)
        {
            return new WorkflowOutcome(index, handle.Id, expected, null, Observe.DescribeChain(e));
        }
    }

    /// <summary>Each scheduled activity of a history with the attempt its start event records and its completion, if any.</summary>
    internal static IReadOnlyList<HistoryActivity> HistoryActivities(WorkflowHistory history)
    {
        var started = history.Events.Where(e => e.EventType == EventType.ActivityTaskStarted)
            .GroupBy(e => e.ActivityTaskStartedEventAttributes.ScheduledEventId)
            .ToDictionary(g => g.Key, g => g.Last().ActivityTaskStartedEventAttributes.Attempt);
        var completed = history.Events.Where(e => e.EventType == EventType.ActivityTaskCompleted)
            .GroupBy(e => e.ActivityTaskCompletedEventAttributes.ScheduledEventId)
            .ToDictionary(g => g.Key, g => g.First().EventId);
        return ActivityEvents.Scheduled(history)
            .Select(e => new HistoryActivity(
                e.ActivityTaskScheduledEventAttributes.ActivityId,
                e.EventId,
                started.TryGetValue(e.EventId, out var attempt) ? attempt : null,
                completed.TryGetValue(e.EventId, out var done) ? done : null))
            .ToList();
    }

    /// <summary>The server's view of up to five open workflows, for the stuck detector's dump.</summary>
    private static async Task<IReadOnlyList<string>> DescribeAsync(ServerLease server, string ns, IReadOnlyList<string> open)
    {
        var described = new List<string>();
        foreach (var id in open)
        {
            try
            {
                var d = await server.Client.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
                {
                    Namespace = ns,
                    Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = id },
                });
                var activities = string.Join(", ", d.PendingActivities.Select(a =>
                    $"{a.ActivityType?.Name} {a.State} attempt {a.Attempt} last worker {a.LastWorkerIdentity}{(a.LastFailure is null ? string.Empty : " last failure " + a.LastFailure.Message)}"));
                var task = d.PendingWorkflowTask is null ? "none" : $"{d.PendingWorkflowTask.State} attempt {d.PendingWorkflowTask.Attempt}";
                described.Add($"{id[^12..]}: {d.WorkflowExecutionInfo.Status}, history {d.WorkflowExecutionInfo.HistoryLength} events, pending activities [{activities}], pending workflow task {task}");
            }
            catch (RpcException e)
            {
                described.Add($"{id[^12..]}: describe failed ({e.Code})");
            }
        }

        return described;
    }
}
