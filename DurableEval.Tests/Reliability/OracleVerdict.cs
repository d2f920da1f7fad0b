using DurableEval.Tests.Evidence;

namespace DurableEval.Tests.Reliability;

public enum OracleOutcome
{
    Passed,
    Failed,

    /// <summary>Not evaluated: the fault it needs did not land, so passing would prove nothing.</summary>
    NotRun,
}

/// <summary>What one oracle concluded and the observation behind it, ready to record as a check.</summary>
public sealed record OracleVerdict(OracleOutcome Outcome, string Evidence)
{
    public static OracleVerdict Of(bool holds, string evidence) => new(holds ? OracleOutcome.Passed : OracleOutcome.Failed, evidence);

    public static OracleVerdict NotRun(string reason) => new(OracleOutcome.NotRun, reason);

    /// <summary>
    /// Several oracles read as one check: failed when any failed (a measured failure outweighs an unrun oracle),
    /// else not run when any did not run, else passed; the evidence keeps every oracle's own.
    /// </summary>
    public static OracleVerdict AllOf(params OracleVerdict[] verdicts)
    {
        var evidence = string.Join(" | ", verdicts.Select(v => $"{v.Outcome}: {v.Evidence}"));
        return verdicts.Any(v => v.Outcome == OracleOutcome.Failed) ? new(OracleOutcome.Failed, evidence)
            : verdicts.Any(v => v.Outcome == OracleOutcome.NotRun) || verdicts.Length == 0 ? new(OracleOutcome.NotRun, evidence)
            : new(OracleOutcome.Passed, evidence);
    }

    /// <summary>Records this verdict as check <paramref name="id"/>: passed, failed, or not run with its reason.</summary>
    public void RecordAs(CheckScope checks, string id)
    {
        if (Outcome == OracleOutcome.NotRun)
        {
            checks.NotRun(id, Evidence);
        }
        else
        {
            checks.Expect(id, Outcome == OracleOutcome.Passed, Evidence);
        }
    }
}
