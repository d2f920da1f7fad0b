using System.Collections.Concurrent;

namespace DurableEval.Workflows.Shared;

/// <summary>
/// The external ledger a fact owns: every raw execution of a step, and every idempotent effect keyed by a
/// deduplication key. It lives outside Temporal so that replays, retries and worker swaps cannot hide from it.
/// </summary>
public sealed class StepLedger
{
    private readonly ConcurrentDictionary<string, int> executions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> effects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> dedupedEffects = new(StringComparer.Ordinal);

    public void RecordExecution(string workflowId, string step) =>
        executions.AddOrUpdate(Key(workflowId, step), 1, (_, n) => n + 1);

    /// <summary>Applies an effect; returns false when the key was already applied (the duplicate is dropped).</summary>
    public bool ApplyEffect(string workflowId, string step, string deduplicationKey)
    {
        effects.AddOrUpdate(Key(workflowId, step), 1, (_, n) => n + 1);
        var applied = false;
        dedupedEffects.AddOrUpdate(
            deduplicationKey,
            _ =>
            {
                applied = true;
                return 1;
            },
            (_, n) => n);
        return applied;
    }

    public int Executions(string workflowId, string step) => executions.GetValueOrDefault(Key(workflowId, step));

    public int RawEffects(string workflowId, string step) => effects.GetValueOrDefault(Key(workflowId, step));

    public int DistinctEffects(string workflowId) =>
        dedupedEffects.Keys.Count(k => k.StartsWith(workflowId + "/", StringComparison.Ordinal));

    public int TotalExecutions => executions.Values.Sum();

    private static string Key(string workflowId, string step) => workflowId + "#" + step;
}
