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

    public static ServerStats Run { get; } = new();

    public IReadOnlyList<(ServerKind Kind, string Version, double StartMs)> Starts => starts.ToArray();

    public IReadOnlyDictionary<ServerKind, string> Unavailable => new Dictionary<ServerKind, string>(unavailable);

    /// <summary>Starts that failed or were slow and were retried once.</summary>
    public IReadOnlyList<(ServerKind Kind, string Cause)> Retries => retries.ToArray();

    public void RecordRetry(ServerKind kind, string cause) => retries.Enqueue((kind, cause));

    public void RecordStart(ServerKind kind, string version, double startMs) => starts.Enqueue((kind, version, startMs));

    public void RecordUnavailable(ServerKind kind, string reason) => unavailable.TryAdd(kind, reason);
}
