using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.AgentFramework;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.AgentFramework;

/// <summary>The shape of one checkpoint kill run: a few step chains, a few kills, short steps.</summary>
public sealed record CheckpointKillOptions
{
    public int Workflows { get; init; } = 2;

    public int Steps { get; init; } = 5;

    public int Kills { get; init; } = 2;

    public int WorkMilliseconds { get; init; } = 250;

    public int MaxKillDelayMilliseconds { get; init; } = 20;

    public int? Seed { get; init; }

    /// <summary>
    /// How long the planned kill waits for the current worker to have a step in flight. Generous: a fresh process
    /// under load can take seconds to start and resume, and a kill before that lands on nothing (the wait ends at the
    /// first step in flight, so it costs nothing otherwise).
    /// </summary>
    public TimeSpan InFlightBound { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The whole run's bound: past it the run is a stall.</summary>
    public TimeSpan RunBound { get; init; } = TimeSpan.FromSeconds(60);

    public int TotalSteps => Workflows * Steps;
}

/// <summary>A finished checkpoint kill run: what the oracles judged, their verdicts, and its cost.</summary>
public sealed record CheckpointKillRun(KillRunObservation Observation, KillRunVerdicts Verdicts, TimeSpan Elapsed, int WorkerProcesses, int Resumes);

/// <summary>
/// The worker-kill protocol for Agent Framework workflows: step chains run in a DurableEval.Worker process
/// (--host agentframework), checkpointed to a file-backed store (FileSystemJsonCheckpointStore) in a temporary folder;
/// following the seeded <see cref="KillSchedule"/>, the process is killed hard (SIGKILL) while a step is in flight and a
/// fresh process resumes every unfinished run from its latest checkpoint. The journal and the oracles are the Temporal
/// protocol's (<see cref="JournalTail"/>, <see cref="ReliabilityOracles"/>): a step counts as recorded once the next
/// one started, which here means its superstep's checkpoint was committed (the runner checkpoints at the end of each
/// superstep, before the next begins). There is no server history, so the history cross-checks are not run.
/// </summary>
public static class CheckpointKill
{
    public static async Task<CheckpointKillRun> RunAsync(CheckpointKillOptions options, Action<string> log, CancellationToken cancellation)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var folder = AgentFrameworkHostInfo.NewCheckpointFolder("kill");
        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-af-kill-{tag}.db");
        var seed = options.Seed ?? Random.Shared.Next();
        var schedule = KillSchedule.Plan(seed, options.Kills, options.TotalSteps, options.MaxKillDelayMilliseconds);
        var sessions = Enumerable.Range(0, options.Workflows).Select(i => new CheckpointedSession($"af-{tag}-w{i.ToString(CultureInfo.InvariantCulture)}", i)).ToList();
        var settings = new AgentFrameworkWorkerSettings(folder, sessions, options.Steps, options.WorkMilliseconds);
        var workers = new List<WorkerProcess>();
        var clock = Stopwatch.StartNew();
        log($"agent framework kill run: {options.Workflows} runs x {options.Steps} steps of {options.WorkMilliseconds} ms, kills after "
            + $"{string.Join("/", schedule.Select(k => k.AfterCompletedSteps))} completed steps, seed {seed}, checkpoints in {folder}");
        try
        {
            using var journal = StepJournal.Open(ledger);
            var tail = new JournalTail(journal);
            WorkerProcess Start()
            {
                var worker = WorkerProcess.Start(new WorkerLaunch(
                    Connection: null,
                    TaskQueue: "agentframework",
                    LedgerPath: ledger,
                    Cache: false,
                    Identity: $"worker-{(workers.Count + 1).ToString(CultureInfo.InvariantCulture)}",
                    Host: ["--host", "agentframework"],
                    InputLine: settings.ToJsonLine()));
                workers.Add(worker);
                return worker;
            }

            int Results() => tail.Rows.Count(r => r.Kind == JournalKind.Result);
            bool Over() => clock.Elapsed > options.RunBound || cancellation.IsCancellationRequested;

            var current = Start();
            string? stall = null;
            foreach (var kill in schedule)
            {
                while (tail.CompletedSteps < kill.AfterCompletedSteps && Results() < sessions.Count && !current.HasExited && !Over())
                {
                    await Task.Delay(10, CancellationToken.None);
                    tail.Advance();
                }

                if (Results() >= sessions.Count || current.HasExited || Over())
                {
                    break;
                }

                await Task.Delay(kill.DelayMilliseconds, CancellationToken.None);
                var waitFrom = clock.Elapsed;
                tail.Advance();
                while (tail.InFlight(current.Identity) == 0 && clock.Elapsed - waitFrom < options.InFlightBound && !current.HasExited && !Over())
                {
                    await Task.Delay(5, CancellationToken.None);
                    tail.Advance();
                }

                await current.KillAsync(cancellation);
                tail.Advance();
                journal.Killed(current.Identity, string.Create(CultureInfo.InvariantCulture, $"after {tail.CompletedSteps} completed steps, {tail.InFlight(current.Identity)} in flight"));
                log($"killed {current.Identity} after {tail.CompletedSteps} completed steps ({tail.InFlight(current.Identity)} in flight)");
                current = Start();
            }

            while (Results() < sessions.Count && !current.HasExited && !Over())
            {
                await Task.Delay(20, CancellationToken.None);
                tail.Advance();
            }

            tail.Advance();
            if (Results() < sessions.Count && !current.HasExited)
            {
                stall = $"{Results()} of {sessions.Count} results after {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; workers: {string.Join(" | ", workers.Select(w => w.Describe()))}";
            }

            // A worker exits 0 once every run finished; any other exit of its own ended the run.
            if (current.HasExited && current.ExitedOnItsOwn)
            {
                await current.WaitForOutputAsync(cancellation);
            }

            WorkerExit? exit = current.ExitedOnItsOwn && current.ExitCode is { } code && code != 0
                ? new WorkerExit(current.Identity, code, tail.IsUp(current.Identity), current.FirstErrorLines)
                : null;
            var rows = journal.ReadAll();
            var results = rows.Where(r => r.Kind == JournalKind.Result && r.WorkflowId is not null)
                .GroupBy(r => r.WorkflowId!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Detail, StringComparer.Ordinal);
            var outcomes = sessions.Select(s => new WorkflowOutcome(
                    s.Index,
                    s.Id,
                    StepChainWorkflow.Expected(s.Index, options.Steps),
                    results.GetValueOrDefault(s.Id),
                    results.ContainsKey(s.Id) ? null : "no result in the journal"))
                .ToList();
            var observation = new KillRunObservation(seed, options.Steps, schedule, rows, outcomes, stall, exit);
            var resumes = rows.Count(r => r.Kind == JournalKind.WorkerStarted) - 1;
            return new CheckpointKillRun(observation, ReliabilityOracles.Evaluate(observation), clock.Elapsed, workers.Count, resumes);
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            AgentFrameworkHostInfo.DeleteQuietly(folder);
            AgentFrameworkHostInfo.DeleteQuietly(ledger);
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-wal");
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-shm");
        }
    }
}
