using System.Collections.Concurrent;

namespace DurableEval.Tests.Servers;

/// <summary>What the run learned about its servers, for the report's environment block.</summary>
public static class ServerStats
{
    private static readonly ConcurrentQueue<(ServerKind Kind, string Version, double StartMs)> Starts = new();
    private static readonly ConcurrentDictionary<ServerKind, string> Unavailable = new();

    public static void RecordStart(ServerKind kind, string version, double startMs) => Starts.Enqueue((kind, version, startMs));

    public static void RecordUnavailable(ServerKind kind, string reason) => Unavailable.TryAdd(kind, reason);

    public static IReadOnlyList<(ServerKind Kind, string Version, double StartMs)> StartsSoFar => Starts.ToArray();

    public static IReadOnlyDictionary<ServerKind, string> UnavailableSoFar => new Dictionary<ServerKind, string>(Unavailable);
}
