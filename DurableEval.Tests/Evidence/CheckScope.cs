using DurableEval.Evaluation;

namespace DurableEval.Tests.Evidence;

/// <summary>
/// Records the outcomes of one block's declared checks. An outcome is always computed from an observation
/// (a condition over measured values), never written down; a check the block cannot evaluate is "not run" with
/// its reason.
/// </summary>
public sealed class CheckScope
{
    private readonly Dictionary<string, CheckSpec> specs;
    private readonly Dictionary<string, CheckResult> results = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private string? sealedBecause;

    internal CheckScope(IReadOnlyList<CheckSpec> specs, CancellationToken cancellation)
    {
        this.specs = specs.ToDictionary(s => s.Id, StringComparer.Ordinal);
        Cancellation = cancellation;
    }

    /// <summary>Cancelled when the block runs past its time bound.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Passed when <paramref name="condition"/> holds; <paramref name="evidence"/> says what was observed either way.</summary>
    public bool Expect(string id, bool condition, string evidence)
    {
        Set(id, condition ? CheckOutcome.Passed : CheckOutcome.Failed, evidence);
        return condition;
    }

    /// <summary>The check could not be evaluated (e.g. the fault it needs did not land); never a pass.</summary>
    public void NotRun(string id, string reason) => Set(id, CheckOutcome.NotRun, reason);

    /// <summary>
    /// Every declared check not yet recorded becomes "not run" with <paramref name="reason"/>: for a block that
    /// learns its server lacks a feature it needs (FeatureProbe) and returns without evaluating the rest.
    /// </summary>
    public void NotRunRemaining(string reason)
    {
        foreach (var id in specs.Keys.Where(id => !IsRecorded(id)).ToList())
        {
            NotRun(id, reason);
        }
    }

    public bool IsRecorded(string id)
    {
        lock (gate)
        {
            return results.ContainsKey(id);
        }
    }

    /// <summary>
    /// Ends recording: a body that outlives its block (it ignored the cancellation) can no longer change the
    /// evidence; its writes throw inside it instead.
    /// </summary>
    internal void Seal(string reason)
    {
        lock (gate)
        {
            sealedBecause ??= reason;
        }
    }

    internal IReadOnlyList<CheckResult> Complete(Exception? error)
    {
        lock (gate)
        {
            sealedBecause ??= "the block ended";
            return Snapshot(error);
        }
    }

    private List<CheckResult> Snapshot(Exception? error)
    {
        return specs.Values.Select(spec => results.TryGetValue(spec.Id, out var result)
            ? result
            : new CheckResult(spec.Id, spec.Kind, spec.Description, CheckOutcome.Failed,
                error is null
                    ? "declared but never recorded by the fact (a defect in the fact)"
                    : $"not reached: the block threw {error.GetType().Name}: {Servers.ServerFixture.OneLine(error.Message)}"))
            .ToList();
    }

    internal static IReadOnlyList<CheckResult> AllNotRun(IReadOnlyList<CheckSpec> specs, string reason) =>
        specs.Select(s => new CheckResult(s.Id, s.Kind, s.Description, CheckOutcome.NotRun, reason)).ToList();

    private void Set(string id, CheckOutcome outcome, string detail)
    {
        if (!specs.TryGetValue(id, out var spec))
        {
            throw new InvalidOperationException($"check '{id}' was not declared for this block; declare it with CheckSpec.Core/Edge/Production");
        }

        lock (gate)
        {
            if (sealedBecause is not null)
            {
                throw new InvalidOperationException($"check '{id}' recorded after its block ended ({sealedBecause}); ignored");
            }

            if (results.ContainsKey(id))
            {
                throw new InvalidOperationException($"check '{id}' was recorded twice");
            }

            results[id] = new CheckResult(id, spec.Kind, spec.Description, outcome, Servers.ServerFixture.OneLine(detail));
        }
    }
}
