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
/// or the reason it did not run. <see cref="Server"/> is the server the check's block ran on (null for offline
/// blocks and for checks that never reached a server).
/// </summary>
public sealed record CheckResult(string Id, CheckKind Kind, string Description, CheckOutcome Outcome, string Detail, ServerInfo? Server = null);

/// <summary>A measured number; <see cref="Method"/> (optional) says how it was obtained and is printed beside it.</summary>
public sealed record Metric(string Name, double Value, string Unit, MetricMethod? Method = null);

/// <summary>Documented evidence: shown as documented, never as measured.</summary>
public sealed record Citation(string Statement, string Source);

/// <summary>Which server a block of live checks ran on, as the fact observed it.</summary>
public sealed record ServerInfo(string Kind, string Version, string Isolation)
{
    /// <summary>One short line for tables: kind and version (isolation is printed once per criterion).</summary>
    public string Short => Version.StartsWith("not reported", StringComparison.Ordinal) ? Kind : $"{Kind} {Version}";
}

/// <summary>
/// Everything one fact recorded about one criterion. <see cref="Server"/> is the first live block's server (kept for
/// older readers); <see cref="ServersUsed"/> lists every server a check ran on.
/// </summary>
public sealed record CriterionEvidence(
    string CriterionId,
    string Fact,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<Metric> Metrics,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> Findings,
    ServerInfo? Server)
{
    /// <summary>The engine the evidence is about (an id from <see cref="Engines"/>).</summary>
    public string Engine { get; init; } = Engines.Temporal.Id;

    public FactKey Key => new(Engine, CriterionId);

    /// <summary>Every server that contributed a check, in the order the checks were recorded; the first block's server when no check names one.</summary>
    public IReadOnlyList<ServerInfo> ServersUsed
    {
        get
        {
            var used = Checks.Select(c => c.Server).OfType<ServerInfo>().Distinct().ToList();
            return used.Count == 0 && Server is not null ? [Server] : used;
        }
    }
}
