using System.Collections.Concurrent;
using DurableEval.Evaluation;

namespace DurableEval.Tests.Evidence;

/// <summary>Where facts leave their evidence for the reporter, keyed by engine and criterion.</summary>
public static class EvidenceStore
{
    private static readonly ConcurrentDictionary<FactKey, CriterionEvidence> Store = new();

    public static void Put(CriterionEvidence evidence)
    {
        if (!Store.TryAdd(evidence.Key, evidence))
        {
            throw new InvalidOperationException(
                $"{evidence.Key} already has evidence from {Store[evidence.Key].Fact}; one criterion, one fact per engine.");
        }
    }

    public static CriterionEvidence? Find(FactKey key) => Store.GetValueOrDefault(key);
}
