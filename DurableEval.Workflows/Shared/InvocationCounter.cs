using System.Collections.Concurrent;

namespace DurableEval.Workflows.Shared;

/// <summary>Counts invocations by key, from outside Temporal's state, so replays and retries can be observed.</summary>
public sealed class InvocationCounter
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public int Increment(string key) => counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public int this[string key] => counts.GetValueOrDefault(key);

    public int Total => counts.Values.Sum();
}
