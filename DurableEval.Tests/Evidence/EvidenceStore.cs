using System.Collections.Concurrent;
using DurableEval.Evaluation;

namespace DurableEval.Tests.Evidence;

/// <summary>Where facts leave their evidence for the reporter, keyed by criterion id.</summary>
public static class EvidenceStore
{
    private static readonly ConcurrentDictionary<string, CriterionEvidence> Store = new(StringComparer.Ordinal);

    public static void Put(CriterionEvidence evidence)
    {
        if (!Store.TryAdd(evidence.CriterionId, evidence))
        {
            throw new InvalidOperationException(
                $"{evidence.CriterionId} already has evidence from {Store[evidence.CriterionId].Fact}; one criterion, one fact.");
        }
    }

    public static CriterionEvidence? Find(string criterionId) => Store.GetValueOrDefault(criterionId);
}
