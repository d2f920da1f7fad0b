using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.AgentFramework;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.AgentFramework;

/// <summary>A finished checkpoint kill run: what the oracles judged, their verdicts, and its cost.</summary>
public sealed record CheckpointKillRun(KillRunObservation Observation, TimeSpan Elapsed, int WorkerProcesses)
{
    public KillRunVerdicts Verdicts { get; } = ReliabilityOracles.Evaluate(Observation);
}

/// <summary>
/// The worker-kill protocol (<see cref="KillDriver"/>, the loop Temporal's <see cref="KillProtocol"/> uses) on Agent
/// Framework workflows: step chains run in a DurableEval.Worker process (--host agentframework), checkpointed to a
/// file-backed store (FileSystemJsonCheckpointStore) in a temporary folder; following the seeded
/// <see cref="KillSchedule"/>, the process is killed hard (SIGKILL) while a step is in flight and a fresh process
/// resumes every unfinished run from its latest checkpoint. The journal and the oracles are the Temporal protocol's
/// (<see cref="ReliabilityOracles"/>): a step counts as recorded once the next one started, which here means its
/// superstep's checkpoint was committed (the runner checkpoints at the end of each superstep, before the next begins).
/// There is no server history, so the history cross-checks are not run.
/// </summary>
public static class CheckpointKill
{
    /// <summary>
    /// A few step chains (one worker process runs them all), short steps, <paramref name="kills"/> kills. The step and
    /// workflow-task timeouts and the cache are a server's and do not apply: a killed step is resumed by the next
    /// process at once, so the run bound is short.
    /// </summary>
    public static KillProtocolOptions Options(int kills) =>
        new() { Workflows = 2, Steps = 5, Kills = kills, RunBound = TimeSpan.FromSeconds(60) };

    public static async Task<CheckpointKillRun> RunAsync(KillProtocolOptions options, Action<string> log, CancellationToken cancellation)
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

        WorkerProcess StartWorker()
        {
            var worker = WorkerProcess.Start(new WorkerLaunch(
                Connection: settings,
                TaskQueue: "agentframework",
                LedgerPath: ledger,
                Cache: false,
                Identity: $"worker-{(workers.Count + 1).ToString(CultureInfo.InvariantCulture)}",
                Host: ["--host", "agentframework"]));
            workers.Add(worker);
            return worker;
        }

        var journal = StepJournal.Open(ledger);
        try
        {
            StartWorker();
            var (outcomes, stall, exit) = await KillDriver.DriveAsync(
                new AgentFrameworkKillEngine(settings, journal), options, schedule, journal, StartWorker, () => workers[^1], workers, log, cancellation);
            var observation = new KillRunObservation(seed, options.Steps, schedule, journal.ReadAll(), outcomes, stall, exit);
            log($"agent framework kill run finished in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s with {workers.Count} worker processes");
            return new CheckpointKillRun(observation, clock.Elapsed, workers.Count);
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            journal.Dispose();
            AgentFrameworkHostInfo.DeleteQuietly(folder);
            AgentFrameworkHostInfo.DeleteQuietly(ledger);
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-wal");
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-shm");
        }
    }

    /// <summary>
    /// Agent Framework's side of the protocol. There is no server: each worker process starts or resumes every
    /// unfinished session itself (the settings on its standard input) and writes each run's output to the journal,
    /// so an instance's wait ends when its Result row appears there, and an open session is described from its
    /// checkpoint folder and its rows in the journal.
    /// </summary>
    private sealed class AgentFrameworkKillEngine(AgentFrameworkWorkerSettings settings, StepJournal journal) : IKillEngine
    {
        private static readonly TimeSpan ResultPoll = TimeSpan.FromMilliseconds(50);

        /// <summary>
        /// The worker exits 0 right after writing the last result, usually before a wait's next poll reads it (with no grace every
        /// clean run ended as "worker-N exited on its own with code 0"); a failing worker only costs this much more.
        /// </summary>
        public TimeSpan ExitGrace => TimeSpan.FromSeconds(2);

        public Task<IReadOnlyList<KillInstance>> StartAsync(CancellationToken cancellation) =>
            Task.FromResult<IReadOnlyList<KillInstance>>(settings.Sessions.Select(s => new KillInstance(s.Id, stop => WaitAsync(s, stop))).ToList());

        public Task<IReadOnlyList<string>> DescribeOpenAsync(IReadOnlyList<string> open, CancellationToken cancellation)
        {
            var rows = journal.ReadAll();
            return Task.FromResult<IReadOnlyList<string>>(open.Select(id => Describe(id, rows)).ToList());
        }

        private string Describe(string id, IReadOnlyList<JournalEntry> rows)
        {
            var folder = new DirectoryInfo(Path.Combine(settings.CheckpointFolder, id));
            var files = folder.Exists ? folder.GetFiles("*", SearchOption.AllDirectories) : [];
            var written = files.Length == 0 ? "no files" : $"{files.Length} files, newest written {files.Max(f => f.LastWriteTimeUtc):HH:mm:ss.fff}";
            var mine = rows.Where(r => r.WorkflowId == id).ToList();
            var completed = mine.Where(r => r.Kind == JournalKind.Completed).Select(r => r.Step).Distinct().Count();
            var last = mine.LastOrDefault(r => r.Kind is JournalKind.Started or JournalKind.Completed);
            var lastStep = last is null ? "no step yet" : $"last {last.Kind} step {last.Step.ToString(CultureInfo.InvariantCulture)} on {last.Worker}";
            return $"{id}: checkpoint folder {written}; {completed.ToString(CultureInfo.InvariantCulture)} of {settings.Steps.ToString(CultureInfo.InvariantCulture)} steps completed, {lastStep}";
        }

        private async Task<WorkflowOutcome> WaitAsync(CheckpointedSession session, CancellationToken stop)
        {
            var expected = StepChainWorkflow.Expected(session.Index, settings.Steps);
            long seen = 0;
            try
            {
                while (true)
                {
                    foreach (var row in journal.ReadSince(seen))
                    {
                        seen = row.Seq;
                        if (row.Kind == JournalKind.Result && row.WorkflowId == session.Id)
                        {
                            return new WorkflowOutcome(session.Index, session.Id, expected, row.Detail, null);
                        }
                    }

                    await Task.Delay(ResultPoll, stop);
                }
            }
            catch (OperationCanceledException)
            {
                return new WorkflowOutcome(session.Index, session.Id, expected, null, "no result in the journal");
            }
        }
    }
}
