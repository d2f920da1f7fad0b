using System.Diagnostics;
using System.Globalization;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>One instance the kill protocol started: its id and a wait for its outcome that ends when the token does.</summary>
public sealed record KillInstance(string Id, Func<CancellationToken, Task<WorkflowOutcome>> WaitAsync);

/// <summary>
/// What the kill protocol needs of an engine: start the protocol's instances (each writes its result to the
/// journal when it arrives) and describe open ones for the stuck detector's dump. Temporal's is in
/// <see cref="KillProtocol"/>; Durable Task's on the Azure Storage provider and Agent Framework's beside their facts.
/// </summary>
public interface IKillEngine
{
    Task<IReadOnlyList<KillInstance>> StartAsync(CancellationToken cancellation);

    /// <summary>The engine's view of each of <paramref name="open"/> (at most five), one line each.</summary>
    Task<IReadOnlyList<string>> DescribeOpenAsync(IReadOnlyList<string> open, CancellationToken cancellation);

    /// <summary>
    /// How long the instances' waits get to report once the worker exited on its own, before that exit ends the run.
    /// Zero where a worker serves until it is killed (Temporal, Durable Task): its exit is always a failure. Agent
    /// Framework's worker runs the instances itself and exits once they all finished, so its exit can be the end.
    /// </summary>
    TimeSpan ExitGrace => TimeSpan.Zero;
}

/// <summary>
/// The engine-neutral loop of the worker-kill protocol (DESIGN.md, "Reliability checks done properly"): following the
/// seeded schedule, SIGKILL the current worker process when the journal shows a step of it started and not completed,
/// start a fresh one, and end a run that stops progressing with a dump of the pending work. The engine only starts the
/// instances, waits for them and describes open ones (<see cref="IKillEngine"/>).
/// </summary>
public static class KillDriver
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    public static async Task<(IReadOnlyList<WorkflowOutcome> Outcomes, string? Stall, WorkerExit? Exit)> DriveAsync(
        IKillEngine engine,
        KillProtocolOptions options,
        IReadOnlyList<PlannedKill> schedule,
        StepJournal journal,
        Func<WorkerProcess> startWorker,
        Func<WorkerProcess> currentWorker,
        IReadOnlyList<WorkerProcess> workers,
        Action<string> log,
        CancellationToken cancellation)
    {
        var handles = await engine.StartAsync(cancellation);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var waits = handles.Select(h => h.WaitAsync(stop.Token)).ToList();
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
            if (current.ExitedOnItsOwn && engine.ExitGrace > TimeSpan.Zero)
            {
                await Task.WhenAny(all, Task.Delay(engine.ExitGrace, cancellation));
                if (all.IsCompleted)
                {
                    break;
                }
            }

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
                stall = await DumpAsync(engine, why, tail.Rows, handles.Where((_, i) => !waits[i].IsCompleted).Select(h => h.Id), workers, cancellation);
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

    /// <summary>Distinct (workflow, step) pairs with a completed execution.</summary>
    private static int CompletedSteps(IEnumerable<JournalEntry> rows) =>
        rows.Where(r => r.Kind == JournalKind.Completed).Select(r => (r.WorkflowId, r.Step)).Distinct().Count();

    /// <summary>The stuck detector's diagnostic: workers, work in flight in the journal, and the engine's view of open instances.</summary>
    private static async Task<string> DumpAsync(
        IKillEngine engine, string why, IReadOnlyList<JournalEntry> rows, IEnumerable<string> open, IReadOnlyList<WorkerProcess> workers, CancellationToken cancellation)
    {
        var completed = rows.Where(r => r.Kind == JournalKind.Completed).Select(r => r.Execution).ToHashSet(StringComparer.Ordinal);
        var dangling = rows.Where(r => r.Kind == JournalKind.Started && !completed.Contains(r.Execution))
            .Select(r => $"{r.WorkflowId?[^12..]} step {r.Step} attempt {r.Attempt} on {r.Worker}")
            .ToList();
        var openIds = open.ToList();
        var described = await engine.DescribeOpenAsync(openIds.Take(5).ToList(), cancellation);
        return $"{why}; {openIds.Count} workflows open, {CompletedSteps(rows)} steps completed; "
            + $"workers: {string.Join("; ", workers.Select(w => w.Describe()))}; "
            + $"started and not completed in the journal ({dangling.Count}): {string.Join(", ", dangling.Take(10))}; "
            + $"server view: {string.Join(" | ", described)}";
    }
}
