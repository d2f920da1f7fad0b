using System.Collections.Concurrent;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>
/// The downstream dependency's side of a circuit-breaker probe, kept outside Temporal: its outage (scripted per
/// workflow by the fact, by call number) and every request that actually reached it.
/// </summary>
public sealed class DependencyLog
{
    private readonly ConcurrentDictionary<string, Func<int, bool>> outages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> requests = new(StringComparer.Ordinal);

    /// <summary>Scripts the outage: <paramref name="downForCall"/> says, by 1-based call number, when the dependency fails.</summary>
    public void Script(string workflowId, Func<int, bool> downForCall) => outages[workflowId] = downForCall;

    /// <summary>Records a request reaching the dependency; returns whether the dependency is down for this call.</summary>
    public bool Call(string workflowId, int request)
    {
        var queue = requests.GetOrAdd(workflowId, _ => new());
        queue.Enqueue(request);
        return outages.TryGetValue(workflowId, out var down) && down(queue.Count);
    }

    /// <summary>The requests that reached the dependency, in arrival order.</summary>
    public IReadOnlyList<int> Requests(string workflowId) =>
        requests.TryGetValue(workflowId, out var queue) ? queue.ToList() : [];
}
