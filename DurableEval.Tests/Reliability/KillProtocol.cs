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
/// process is killed on the way out, whatever happened.
/// </summary>
public static class KillProtocol
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

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
                () => DriveAsync(server, options, schedule, journal, queue, ns, StartWorker, () => workers[^1], workers, log, cancellation));

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

    private static async Task<(IReadOnlyList<WorkflowOutcome> Outcomes, string? Stall, WorkerExit? Exit)> DriveAsync(
        ServerLease server,
        KillProtocolOptions options,
        IReadOnlyList<PlannedKill> schedule,
        StepJournal journal,
        string queue,
        string ns,
        Func<WorkerProcess> startWorker,
        Func<WorkerProcess> currentWorker,
        IReadOnlyList<WorkerProcess> workers,
        Action<string> log,
        CancellationToken cancellation)
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

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var waits = handles.Select((h, i) => WaitAsync(h, i, options.Steps, journal, stop.Token)).ToList();
        var all = Task.WhenAll(waits);
        var tail = new JournalTail(journal);
        var clock = Stopwatch.StartNew();
        var lastProgress = clock.Elapsed;
        var lastReport = clock.Elapsed;
        var progressMark = -1;
        var next = 0;
        var delayedFor = -1;
        string? stall = null;
        WorkerExit? exit = null;
        string At() => clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(Poll, cancellation));
            foreach (var up in tail.Advance())
            {
                log($"{up.Worker} up at {At()} ({up.Detail})");
            }

            if (tail.Progress != progressMark)
            {
                progressMark = tail.Progress;
                lastProgress = clock.Elapsed;
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
            {
                lastReport = clock.Elapsed;
                log($"at {At()}: {tail.CompletedSteps} of {options.TotalSteps} steps completed, {waits.Count(w => w.IsCompleted)} workflows done, {tail.InFlight(currentWorker().Identity)} in flight on {currentWorker().Identity}");
            }

            // A worker that ends without being killed (it could not connect, or it failed) ends the run at once:
            // waiting for the stall bound would only turn its reason into "no progress" or "no kill landed".
            var current = currentWorker();
            if (current.ExitedOnItsOwn)
            {
                await current.WaitForOutputAsync(cancellation);
                exit = new WorkerExit(current.Identity, current.ExitCode, tail.IsUp(current.Identity), current.FirstErrorLines);
                stall = $"the run ended at {At()}: {exit.Describe()}";
                log("WORKER EXITED: " + stall);
                break;
            }

            if (clock.Elapsed - lastProgress > options.StallBound || clock.Elapsed > options.RunBound)
            {
                var why = clock.Elapsed > options.RunBound
                    ? $"the run exceeded its bound of {options.RunBound.TotalSeconds:0} s"
                    : $"no journal progress for {options.StallBound.TotalSeconds:0} s";
                stall = await DumpAsync(server, ns, why, tail.Rows, handles.Where((_, i) => !waits[i].IsCompleted).Select(h => h.Id), workers);
                log("STUCK: " + stall);

                // Stuck because the worker never started polling (a connection that hangs rather than fails): the
                // worker's problem, said as such, not the platform's lack of progress.
                if (!tail.IsUp(current.Identity))
                {
                    exit = new WorkerExit(current.Identity, current.ExitCode, CameUp: false, current.FirstErrorLines.Count > 0 ? current.FirstErrorLines : current.RecentOutput.Take(3).ToList());
                }

                break;
            }

            if (next >= schedule.Count || tail.CompletedSteps < schedule[next].AfterCompletedSteps || all.IsCompleted)
            {
                continue;
            }

            if (delayedFor != next)
            {
                delayedFor = next;
                await Task.Delay(schedule[next].DelayMilliseconds, cancellation);
            }

            // Read again right before the kill: the fresher the read, the likelier the step is still in flight.
            tail.Advance();
            var worker = currentWorker();
            var inFlight = tail.InFlight(worker.Identity);
            if (inFlight == 0)
            {
                continue;
            }

            await worker.KillAsync(cancellation);
            journal.Killed(worker.Identity, $"kill {next + 1} of {schedule.Count}; {inFlight} step(s) in flight at the last read");

            // A step that finished between that read and the kill leaves the kill without work in flight: such a
            // kill does not count, and the planned kill is taken again on the next worker. The killed worker
            // writes nothing more, so what the tail shows now is what was in flight at the kill.
            tail.Advance();
            var hit = tail.InFlight(worker.Identity);
            log($"kill {next + 1}: SIGKILL {worker.Identity} (pid {worker.ProcessId}) at {tail.CompletedSteps} completed steps, "
                + $"{(hit > 0 ? $"{hit} step(s) in flight, landed" : "nothing in flight by then, did not land; retaking")}, at {At()}");
            if (hit > 0)
            {
                next++;
            }

            startWorker();
        }

        if (stall is not null)
        {
            await stop.CancelAsync();
        }
        else
        {
            log($"every workflow returned by {At()} after the workers started");
        }

        return (await Task.WhenAll(waits), stall, exit);
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

    /// <summary>Distinct (workflow, step) pairs with a completed execution.</summary>
    private static int CompletedSteps(IEnumerable<JournalEntry> rows) =>
        rows.Where(r => r.Kind == JournalKind.Completed).Select(r => (r.WorkflowId, r.Step)).Distinct().Count();

    /// <summary>The stuck detector's diagnostic: workers, work in flight in the journal, and the server's view of open workflows.</summary>
    private static async Task<string> DumpAsync(
        ServerLease server, string ns, string why, IReadOnlyList<JournalEntry> rows, IEnumerable<string> open, IReadOnlyList<WorkerProcess> workers)
    {
        var completed = rows.Where(r => r.Kind == JournalKind.Completed).Select(r => r.Execution).ToHashSet(StringComparer.Ordinal);
        var dangling = rows.Where(r => r.Kind == JournalKind.Started && !completed.Contains(r.Execution))
            .Select(r => $"{r.WorkflowId?[^12..]} step {r.Step} attempt {r.Attempt} on {r.Worker}")
            .ToList();
        var openIds = open.ToList();
        var described = new List<string>();
        foreach (var id in openIds.Take(5))
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

        return $"{why}; {openIds.Count} workflows open, {CompletedSteps(rows)} steps completed; "
            + $"workers: {string.Join("; ", workers.Select(w => w.Describe()))}; "
            + $"started and not completed in the journal ({dangling.Count}): {string.Join(", ", dangling.Take(10))}; "
            + $"server view: {string.Join(" | ", described)}";
    }
}
