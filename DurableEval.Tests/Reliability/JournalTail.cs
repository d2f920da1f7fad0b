using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// The protocol's running view of the journal, read incrementally (only rows it has not seen), so watching the
/// run costs the loaded machine little: completed steps, steps in flight per worker, and a progress count.
/// </summary>
internal sealed class JournalTail(StepJournal journal)
{
    private readonly List<JournalEntry> rows = [];
    private readonly HashSet<(string? WorkflowId, int Step)> completedSteps = [];
    private readonly Dictionary<string, HashSet<string>> openByWorker = new(StringComparer.Ordinal);
    private readonly HashSet<string> workersUp = new(StringComparer.Ordinal);
    private long last;

    public IReadOnlyList<JournalEntry> Rows => rows;

    /// <summary>Distinct (workflow, step) pairs with a completed execution.</summary>
    public int CompletedSteps => completedSteps.Count;

    /// <summary>Completions and results seen: grows while the run makes progress.</summary>
    public int Progress { get; private set; }

    /// <summary>Reads the new rows; returns the workers that announced themselves among them.</summary>
    public IReadOnlyList<JournalEntry> Advance()
    {
        var fresh = journal.ReadSince(last);
        var announced = new List<JournalEntry>();
        foreach (var row in fresh)
        {
            last = row.Seq;
            rows.Add(row);
            switch (row.Kind)
            {
                case JournalKind.Started when row.Worker is not null && row.Execution is not null:
                    Open(row.Worker).Add(row.Execution);
                    break;
                case JournalKind.Completed when row.Worker is not null && row.Execution is not null:
                    Open(row.Worker).Remove(row.Execution);
                    completedSteps.Add((row.WorkflowId, row.Step));
                    Progress++;
                    break;
                case JournalKind.Result:
                    Progress++;
                    break;
                case JournalKind.WorkerStarted when row.Worker is not null && workersUp.Add(row.Worker):
                    announced.Add(row);
                    break;
            }
        }

        return announced;
    }

    /// <summary>Whether <paramref name="worker"/> announced itself (it connected and is about to poll).</summary>
    public bool IsUp(string worker) => workersUp.Contains(worker);

    /// <summary>Executions <paramref name="worker"/> started and has not completed, as far as the rows read show.</summary>
    public int InFlight(string worker) => openByWorker.TryGetValue(worker, out var open) ? open.Count : 0;

    private HashSet<string> Open(string worker)
    {
        if (!openByWorker.TryGetValue(worker, out var open))
        {
            open = new HashSet<string>(StringComparer.Ordinal);
            openByWorker[worker] = open;
        }

        return open;
    }
}
