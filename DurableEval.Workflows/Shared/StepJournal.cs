using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DurableEval.Workflows.Shared;

/// <summary>What a journal row records.</summary>
public static class JournalKind
{
    /// <summary>A worker process began hosting the workflows (written by the worker).</summary>
    public const string WorkerStarted = "worker";

    /// <summary>
    /// One raw execution of a step began (written by the activity before it does anything else), with the attempt
    /// number and the deduplication key the platform handed this execution (<see cref="JournalEntry.Detail"/>).
    /// </summary>
    public const string Started = "started";

    /// <summary>That execution finished its work; <see cref="JournalEntry.Detail"/> says whether its effect applied.</summary>
    public const string Completed = "completed";

    /// <summary>The idempotent effect of a step, unique per deduplication key (<see cref="JournalEntry.Detail"/>).</summary>
    public const string Effect = "effect";

    /// <summary>The test killed a worker process (written by the test after the process is gone).</summary>
    public const string Kill = "kill";

    /// <summary>The test received a workflow's result (written by the test).</summary>
    public const string Result = "result";
}

/// <summary>One row of the journal. <see cref="Seq"/> orders rows across every process that writes the file.</summary>
public sealed record JournalEntry(
    long Seq,
    string Kind,
    string? WorkflowId,
    int Step,
    string? ActivityId,
    int Attempt,
    string? Execution,
    string? Worker,
    long AtMs,
    string? Detail);

/// <summary>
/// The external ledger of the worker-kill protocol: an append-only SQLite file the test owns and every worker
/// process writes. A commit survives the SIGKILL of its writer (write-ahead log), and one sequence numbers the
/// rows of all processes, so "before the kill" is a comparison of sequence numbers, not of clocks.
/// </summary>
public sealed class StepJournal : IDisposable
{
    public const string EffectApplied = "applied";
    public const string EffectDeduplicated = "deduplicated";

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private StepJournal(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed) the journal at <paramref name="path"/>.</summary>
    public static StepJournal Open(string path)
    {
        // Pooling off: a killed process must not leave a pooled handle, and each process keeps one connection.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();

        // WAL: readers never block the writer; NORMAL sync keeps every commit across a killed process (only a
        // power loss could drop the last ones). busy_timeout lets the test and a worker write at the same time.
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "PRAGMA synchronous=NORMAL;");
        Execute(connection, "PRAGMA busy_timeout=30000;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS journal(
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                workflow_id TEXT,
                step INTEGER NOT NULL DEFAULT 0,
                activity_id TEXT,
                attempt INTEGER NOT NULL DEFAULT 0,
                execution TEXT,
                worker TEXT,
                at_ms INTEGER NOT NULL,
                detail TEXT);
            CREATE UNIQUE INDEX IF NOT EXISTS effect_once ON journal(detail) WHERE kind = 'effect';
            """);
        return new StepJournal(path, connection);
    }

    /// <summary>A worker process is up and about to poll.</summary>
    public long WorkerStarted(string worker, string detail) =>
        Append(JournalKind.WorkerStarted, null, 0, null, 0, null, worker, detail);

    /// <summary>
    /// A raw execution of a step begins; written before the step does any work, with the attempt number and the
    /// deduplication key it saw, so the oracles judge what the platform handed each execution rather than what
    /// the journal's own unique index made of it.
    /// </summary>
    public long Started(string workflowId, int step, string activityId, int attempt, string execution, string worker, string deduplicationKey) =>
        Append(JournalKind.Started, workflowId, step, activityId, attempt, execution, worker, deduplicationKey);

    /// <summary>
    /// The execution applies its effect under <paramref name="deduplicationKey"/> (once per key, ever) and records
    /// its completion, atomically. Returns true when this execution applied the effect, false when it was a
    /// duplicate dropped by the key.
    /// </summary>
    public bool CompleteWithEffect(string workflowId, int step, string activityId, int attempt, string execution, string worker, string deduplicationKey)
    {
        lock (gate)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var applied = Insert(JournalKind.Effect, workflowId, step, activityId, attempt, execution, worker, deduplicationKey, orIgnore: true, transaction) > 0;
            Insert(JournalKind.Completed, workflowId, step, activityId, attempt, execution, worker, applied ? EffectApplied : EffectDeduplicated, orIgnore: false, transaction);
            transaction.Commit();
            return applied;
        }
    }

    /// <summary>Written by the test after a worker process it killed has exited.</summary>
    public long Killed(string worker, string detail) => Append(JournalKind.Kill, null, 0, null, 0, null, worker, detail);

    /// <summary>Written by the test when a workflow's result arrives.</summary>
    public long ResultReceived(string workflowId, string detail) => Append(JournalKind.Result, workflowId, 0, null, 0, null, null, detail);

    /// <summary>Every row, in sequence order.</summary>
    public IReadOnlyList<JournalEntry> ReadAll() => ReadSince(0);

    /// <summary>The rows after sequence number <paramref name="seq"/>, in sequence order.</summary>
    public IReadOnlyList<JournalEntry> ReadSince(long seq)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, kind, workflow_id, step, activity_id, attempt, execution, worker, at_ms, detail FROM journal WHERE seq > $seq ORDER BY seq";
            command.Parameters.AddWithValue("$seq", seq);
            using var reader = command.ExecuteReader();
            var rows = new List<JournalEntry>();
            while (reader.Read())
            {
                rows.Add(new JournalEntry(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            return rows;
        }
    }

    public void Dispose()
    {
        connection.Dispose();
    }

    private long Append(string kind, string? workflowId, int step, string? activityId, int attempt, string? execution, string? worker, string? detail)
    {
        lock (gate)
        {
            Insert(kind, workflowId, step, activityId, attempt, execution, worker, detail, orIgnore: false, transaction: null);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT last_insert_rowid()";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    private int Insert(
        string kind, string? workflowId, int step, string? activityId, int attempt, string? execution, string? worker, string? detail,
        bool orIgnore, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT {(orIgnore ? "OR IGNORE " : string.Empty)}INTO journal(kind, workflow_id, step, activity_id, attempt, execution, worker, at_ms, detail)
            VALUES ($kind, $workflow, $step, $activity, $attempt, $execution, $worker, $at, $detail)
            """;
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$workflow", (object?)workflowId ?? DBNull.Value);
        command.Parameters.AddWithValue("$step", step);
        command.Parameters.AddWithValue("$activity", (object?)activityId ?? DBNull.Value);
        command.Parameters.AddWithValue("$attempt", attempt);
        command.Parameters.AddWithValue("$execution", (object?)execution ?? DBNull.Value);
        command.Parameters.AddWithValue("$worker", (object?)worker ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
