using DurableEval.Evaluation;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>
/// A synthetic three-engine run for the derived sections: Temporal not evaluated (no server: every fact recorded its
/// core check as not run with one reason), Durable Task and Agent Framework workflows rated at chosen levels through
/// the real rubric with native support (the engines' real support levels change as their documentation is checked; a
/// snapshot must not), everything else with no fact yet. Agent Framework's Learning-curve criteria and OP-05..07 are
/// marked not applicable here (a synthetic scope: every criterion applies to every engine in the real tables).
/// </summary>
public static class SyntheticEngines
{
    public const string NoTemporalServer = "no Temporal server: time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH";

    public const string SyntheticNotApplicable = "synthetic scope for this snapshot: the engine has no workflow SDK of its own to learn";

    public static readonly IReadOnlyDictionary<string, int> DurableTaskStars = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["EX-01"] = 5, ["EX-04"] = 4, ["CP-02"] = 3, ["SG-02"] = 5, ["AI-03"] = 3, ["EX-07"] = 5, ["DX-07"] = 4,
        ["VR-01"] = 3, ["VR-02"] = 5, ["RT-01"] = 5, ["RT-04"] = 1, ["WF-06"] = 2, ["AI-01"] = 4,
    };

    public static readonly IReadOnlyDictionary<string, int> AgentFrameworkStars = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["EX-01"] = 4, ["CP-02"] = 2, ["SG-02"] = 5, ["AI-03"] = 5, ["EX-07"] = 4, ["VR-01"] = 1, ["AI-01"] = 4,
    };

    public static RunReport Run() => new([Temporal(), Rated(Engines.DurableTask, DurableTaskStars), AgentFramework()]);

    public static EvaluationReport Temporal()
    {
        var results = Catalog.All.Select(d => Assessment.Assess(
            d,
            new FactOutcome(FactState.Skipped, $"SyntheticFacts.{d.Id}", NoTemporalServer),
            new CriterionEvidence(d.Id, $"SyntheticFacts.{d.Id}", [new CheckResult("core", CheckKind.Core, "Synthetic core check", CheckOutcome.NotRun, NoTemporalServer)], [], [], [], null),
            EvaluationProfile.Default,
            Engines.Temporal)).ToList();
        return Report(Engines.Temporal, results);
    }

    public static EvaluationReport AgentFramework()
    {
        var rated = Rated(Engines.AgentFramework, AgentFrameworkStars);
        var results = rated.Results
            .Select(r => r.Definition.Id is "DX-01" or "DX-06" ? r with { Rating = Rating.NotApplicable(SyntheticNotApplicable) }
                : SyntheticEvidence.SyntheticNotApplicable.TryGetValue(r.Definition.Id, out var why) ? Assessment.NotApplicable(r.Definition, r.Fact, null, Engines.AgentFramework, why)
                : r)
            .ToList();
        return Report(Engines.AgentFramework, results);
    }

    /// <summary>The engine's report with <paramref name="stars"/> earned through the rubric, every other criterion with no fact yet (or not applicable by scope).</summary>
    public static EvaluationReport Rated(Engine engine, IReadOnlyDictionary<string, int> stars) =>
        Report(engine, Catalog.All.Select(d => stars.TryGetValue(d.Id, out var s)
            ? Result(engine, d.Id, s)
            : Assessment.Assess(d, FactOutcome.NoFact, null, EvaluationProfile.Default, engine)).ToList());

    public static EvaluationReport Report(Engine engine, IReadOnlyList<CriterionResult> results) =>
        EvaluationReport.Build(SyntheticEvidence.Clock, SyntheticEvidence.Environment, EvaluationProfile.Default, results) with { Engine = engine };

    /// <summary>A result the rubric rates <paramref name="stars"/> (with native support); throws when it does not, so the data is what it claims.</summary>
    public static CriterionResult Result(Engine engine, string id, int stars)
    {
        var d = Catalog.Get(id);
        var evidence = new CriterionEvidence(id, $"SyntheticFacts.{id}", Checks(stars), [], [], [], null) { Engine = engine.Id };
        var result = Assessment.Assess(d, new FactOutcome(FactState.Passed, $"SyntheticFacts.{engine.Id}.{id}", string.Empty), evidence, EvaluationProfile.Default, engine);
        var rating = Rubric.Rate(SupportLevel.Native, evidence.Checks);
        return rating.Stars == stars
            ? result with { Rating = rating }
            : throw new InvalidOperationException($"{engine.Id} {id} rates {rating.Stars} stars, not {stars}");
    }

    private static IReadOnlyList<CheckResult> Checks(int stars) => stars switch
    {
        1 => [Check("core-a", CheckKind.Core, CheckOutcome.Failed)],
        2 => [Check("core-a", CheckKind.Core, CheckOutcome.Passed), Check("core-b", CheckKind.Core, CheckOutcome.Failed)],
        3 => [Check("core-a", CheckKind.Core, CheckOutcome.Passed), Check("edge-a", CheckKind.Edge, CheckOutcome.Failed)],
        4 => [Check("core-a", CheckKind.Core, CheckOutcome.Passed), Check("edge-a", CheckKind.Edge, CheckOutcome.Passed), Check("production-a", CheckKind.Production, CheckOutcome.Failed)],
        _ => [Check("core-a", CheckKind.Core, CheckOutcome.Passed), Check("edge-a", CheckKind.Edge, CheckOutcome.Passed), Check("production-a", CheckKind.Production, CheckOutcome.Passed)],
    };

    private static CheckResult Check(string id, CheckKind kind, CheckOutcome outcome) =>
        new(id, kind, $"Synthetic check {id}", outcome, outcome == CheckOutcome.Passed ? "as expected" : "not as expected");
}
