namespace DurableEval.Evaluation;

/// <summary>What the test runner saw of a criterion's fact in this run.</summary>
public enum FactState
{
    /// <summary>No fact in the test assembly names this criterion yet.</summary>
    NoFact,

    /// <summary>A fact exists but this run's filter did not select it.</summary>
    NotSelected,
    Passed,
    Failed,
    Skipped,
}

/// <summary>A fact's outcome as the runner reported it; <see cref="Duration"/> is the runner's execution time, when it reported one.</summary>
public sealed record FactOutcome(FactState State, string Fact, string Message, TimeSpan? Duration = null)
{
    public static FactOutcome NoFact { get; } = new(FactState.NoFact, string.Empty, string.Empty);
}

/// <summary>How much of a criterion the run observed, for the report's coverage table.</summary>
public enum Coverage
{
    Measured,
    Partial,
    DocumentedOnly,
    NotObservable,
}

public sealed record CriterionResult(
    CriterionDefinition Definition,
    FactOutcome Fact,
    CriterionEvidence? Evidence,
    Rating Rating,
    bool FailCloseApplies,
    Coverage Coverage)
{
    /// <summary>The engine this result is about.</summary>
    public Engine Engine { get; init; } = Engines.Temporal;

    /// <summary>The engine's documented support level for this criterion (the catalog's for Temporal).</summary>
    public SupportLevel Support => EngineScope.For(Engine, Definition).Support;

    /// <summary>The minimum stars the applied policy asks of this criterion (the rubric's bar by default).</summary>
    public int PolicyBar { get; init; } = Rubric.Bar;
}

/// <summary>Joins a criterion's fact outcome and recorded evidence into its rating, without judgement calls of its own.</summary>
public static class Assessment
{
    public static CriterionResult Assess(
        CriterionDefinition definition, FactOutcome fact, CriterionEvidence? evidence, EvaluationProfile profile) =>
        Assess(definition, fact, evidence, profile, Engines.Temporal);

    /// <summary>
    /// The criterion's rating for <paramref name="engine"/>: rated with that engine's support level; "not applicable"
    /// (no stars, out of every average and of the verdict) when the engine's scope says the criterion does not apply.
    /// Fail-close applies only to the subject engine.
    /// </summary>
    public static CriterionResult Assess(
        CriterionDefinition definition, FactOutcome fact, CriterionEvidence? evidence, EvaluationProfile profile, Engine engine)
    {
        var scope = EngineScope.For(engine, definition);
        if (!scope.Applies)
        {
            return NotApplicable(definition, fact, evidence, engine, scope.Reason);
        }

        var rating = RateRun(scope.Support, fact, evidence);
        return new CriterionResult(definition, fact, evidence, rating, engine.IsSubject && definition.IsFailClose(profile), CoverageOf(evidence))
        {
            Engine = engine,
        };
    }

    /// <summary>A criterion outside <paramref name="engine"/>'s scope: no stars, no verdict weight, <paramref name="reason"/> shown.</summary>
    public static CriterionResult NotApplicable(CriterionDefinition definition, FactOutcome fact, CriterionEvidence? evidence, Engine engine, string reason) =>
        new(definition, fact, evidence, Rating.NotApplicable(reason), false, Coverage.NotObservable) { Engine = engine };

    private static Rating RateRun(SupportLevel support, FactOutcome fact, CriterionEvidence? evidence)
    {
        switch (fact.State)
        {
            case FactState.NoFact:
                return Rating.NotEvaluated("no fact yet");
            case FactState.NotSelected:
                return Rating.NotEvaluated("not run: not selected by this run's filter");
        }

        if (evidence is null)
        {
            return fact.State switch
            {
                FactState.Skipped => Rating.NotEvaluated($"skipped: {fact.Message}"),
                FactState.Failed => Rating.NotEvaluated($"fact failed before recording evidence: {fact.Message}"),
                _ => Rating.NotEvaluated("the fact recorded no evidence"),
            };
        }

        var rating = Rubric.Rate(support, evidence.Checks);
        if (fact.State == FactState.Failed && rating.Stars >= Rubric.Bar)
        {
            // The checks say "good" but the test failed: something outside the checks broke, so the recorded
            // evidence cannot be trusted to be complete.
            return Rating.NotEvaluated($"fact failed outside its checks: {fact.Message}");
        }

        return rating;
    }

    private static Coverage CoverageOf(CriterionEvidence? evidence)
    {
        if (evidence is null)
        {
            return Coverage.NotObservable;
        }

        var ran = evidence.Checks.Count(c => c.Outcome != CheckOutcome.NotRun);
        if (ran > 0)
        {
            return ran == evidence.Checks.Count ? Coverage.Measured : Coverage.Partial;
        }

        return evidence.Citations.Count > 0 ? Coverage.DocumentedOnly : Coverage.NotObservable;
    }
}
