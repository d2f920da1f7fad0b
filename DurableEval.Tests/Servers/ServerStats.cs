using System.Collections.Concurrent;

namespace DurableEval.Tests.Servers;

/// <summary>
/// What a fixture learned about its servers. The criteria collection's fixture writes to <see cref="Run"/>, which
/// the report's environment block reads; fixtures built by self-tests keep their own, so probes of bad
/// configuration never show up as the run's environment.
/// </summary>
public sealed class ServerStats
{
    private readonly ConcurrentQueue<(ServerKind Kind, string Version, double StartMs)> starts = new();
    private readonly ConcurrentDictionary<ServerKind, string> unavailable = new();
    private readonly ConcurrentQueue<(ServerKind Kind, string Cause)> retries = new();
    private readonly ConcurrentQueue<(bool PreStarted, double WaitedMs)> waits = new();
    private int unusedPreStarts;

    public static ServerStats Run { get; } = new();

    public IReadOnlyList<(ServerKind Kind, string Version, double StartMs)> Starts => starts.ToArray();

    public IReadOnlyDictionary<ServerKind, string> Unavailable => new Dictionary<ServerKind, string>(unavailable);

    /// <summary>Starts that failed or were slow and were retried once.</summary>
    public IReadOnlyList<(ServerKind Kind, string Cause)> Retries => retries.ToArray();

    public void RecordRetry(ServerKind kind, string cause) => retries.Enqueue((kind, cause));

    public void RecordStart(ServerKind kind, string version, double startMs) => starts.Enqueue((kind, version, startMs));

    /// <summary>
    /// How long each block waited for its fresh time-skipping server, and whether the pool had started it ahead
    /// (a block that started its own waited for the whole start).
    /// </summary>
    public IReadOnlyList<(bool PreStarted, double WaitedMs)> Waits => waits.ToArray();

    /// <summary>Servers the pool started ahead that no block took; stopped when the run ended.</summary>
    public int UnusedPreStarts => Volatile.Read(ref unusedPreStarts);

    public void RecordWait(bool preStarted, double waitedMs) => waits.Enqueue((preStarted, waitedMs));

    public void RecordUnusedPreStarts(int count) => Interlocked.Add(ref unusedPreStarts, count);

    public void RecordUnavailable(ServerKind kind, string reason) => unavailable.TryAdd(kind, reason);
}
