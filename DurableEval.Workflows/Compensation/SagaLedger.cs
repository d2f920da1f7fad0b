using System.Collections.Concurrent;

namespace DurableEval.Workflows.Compensation;

/// <summary>
/// The external witness of a saga: every booking and compensation an activity really performed, in the order it
/// happened, per workflow id. It lives outside Temporal, so workflow state or history cannot vouch for itself.
/// </summary>
public sealed class SagaLedger
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> entries = new(StringComparer.Ordinal);

    public void Record(string workflowId, string entry) => entries.GetOrAdd(workflowId, _ => new()).Enqueue(entry);

    public IReadOnlyList<string> Entries(string workflowId) => entries.TryGetValue(workflowId, out var q) ? q.ToArray() : [];

    public int Count(string workflowId, string entry) => Entries(workflowId).Count(e => e == entry);

    public static string Booked(int step) => $"book-{step}";

    public static string Undone(int step) => $"undo-{step}";
}
