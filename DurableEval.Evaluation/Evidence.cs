namespace DurableEval.Evaluation;

/// <summary>Core checks decide whether the feature works at all; edge and production checks how far beyond.</summary>
public enum CheckKind
{
    Core,
    Edge,
    Production,
}

public enum CheckOutcome
{
    Passed,
    Failed,

    /// <summary>The check could not run (no server, nothing to observe); never counted as passed.</summary>
    NotRun,
}

/// <summary>
/// One recorded check. <see cref="Detail"/> is the one-line evidence (what was observed) when the check ran,
/// or the reason it did not run.
/// </summary>
public sealed record CheckResult(string Id, CheckKind Kind, string Description, CheckOutcome Outcome, string Detail);

/// <summary>A measured number; <see cref="Method"/> (optional) says how it was obtained and is printed beside it.</summary>
public sealed record Metric(string Name, double Value, string Unit, MetricMethod? Method = null);

/// <summary>Documented evidence: shown as documented, never as measured.</summary>
public sealed record Citation(string Statement, string Source);

/// <summary>Which server a fact's live checks ran on, as the fact observed it.</summary>
public sealed record ServerInfo(string Kind, string Version, string Isolation);

/// <summary>Everything one fact recorded about one criterion.</summary>
public sealed record CriterionEvidence(
    string CriterionId,
    string Fact,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<Metric> Metrics,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> Findings,
    ServerInfo? Server);
