namespace DurableEval.Evaluation;

/// <summary>
/// One run's evidence for every engine that ran: one <see cref="EvaluationReport"/> per engine, the subject
/// (Temporal) first, then the other engines in <see cref="Evaluation.Engines.All"/> order. The subject is always
/// present (a run filtered to another engine still says what it did not evaluate of Temporal, and why); another
/// engine is present when any of its facts was selected. Every format (REPORT.md, report.html, junit.xml,
/// results.json) renders from this model; only <see cref="Subject"/> is gated by the policy and diffed against a
/// baseline.
/// </summary>
public sealed record RunReport
{
    public RunReport(IEnumerable<EvaluationReport> engines)
    {
        var list = engines.OrderBy(r => Order(r.Engine)).ToList();
        var duplicate = list.GroupBy(r => r.Engine.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"a run has one report per engine; {duplicate.Key} has {duplicate.Count()}", nameof(engines));
        }

        if (list.Count == 0 || !list[0].Engine.IsSubject)
        {
            throw new ArgumentException($"a run's reports start with the subject engine ({Evaluation.Engines.Temporal.Id})", nameof(engines));
        }

        Engines = list;
    }

    /// <summary>Every engine's report, subject first, then in <see cref="Evaluation.Engines.All"/> order.</summary>
    public IReadOnlyList<EvaluationReport> Engines { get; }

    /// <summary>The subject engine's report (Temporal): the one gated by the policy and diffed against a baseline.</summary>
    public EvaluationReport Subject => Engines[0];

    /// <summary>The other engines that ran, in <see cref="Evaluation.Engines.All"/> order (empty for a Temporal-only run).</summary>
    public IReadOnlyList<EvaluationReport> Others => Engines.Skip(1).ToList();

    /// <summary>More than one engine ran: the reports gain a section per other engine (and the comparison).</summary>
    public bool IsMultiEngine => Engines.Count > 1;

    /// <summary>The report for the engine with this id (case-insensitive), or null when that engine did not run.</summary>
    public EvaluationReport? Find(string engineId) =>
        Engines.FirstOrDefault(r => string.Equals(r.Engine.Id, engineId, StringComparison.OrdinalIgnoreCase));

    /// <summary>The report for <paramref name="engine"/>, or null when it did not run.</summary>
    public EvaluationReport? Find(Engine engine) => Find(engine.Id);

    /// <summary>The engines in this run, as "temporal, durabletask": for messages naming what a file holds.</summary>
    public string EngineIds => string.Join(", ", Engines.Select(r => r.Engine.Id));

    /// <summary>A run that evaluated only the subject (every report before issue 18, and schemaVersion 2 files).</summary>
    public static RunReport Single(EvaluationReport subject) => new([subject]);

    /// <summary>The same run with each engine's report transformed (e.g. redaction); the order is kept.</summary>
    public RunReport Select(Func<EvaluationReport, EvaluationReport> transform) => new(Engines.Select(transform));

    private static int Order(Engine engine)
    {
        var index = Evaluation.Engines.All.ToList().FindIndex(e => e.Id == engine.Id);
        return index < 0 ? int.MaxValue : index;
    }
}

/// <summary>
/// The one place report anchors are made, so REPORT.md, report.html and the Comparison link to the same targets.
/// Anchors are lower case, engine-qualified and unique in a multi-engine report: "temporal-ex-01",
/// "durabletask-ex-01"; an engine's section is "engine-durabletask".
/// </summary>
public static class ReportAnchors
{
    /// <summary>The anchor of <paramref name="criterionId"/>'s evidence for <paramref name="engine"/>: "durabletask-ex-01".</summary>
    public static string For(Engine engine, string criterionId) => For(engine.Id, criterionId);

    /// <summary>The anchor for an engine id and criterion id: "durabletask-ex-01".</summary>
    public static string For(string engineId, string criterionId) =>
        $"{engineId.ToLowerInvariant()}-{criterionId.ToLowerInvariant()}";

    /// <summary>The anchor of an engine's own section in a multi-engine report: "engine-durabletask".</summary>
    public static string Section(Engine engine) => $"engine-{engine.Id.ToLowerInvariant()}";
}
