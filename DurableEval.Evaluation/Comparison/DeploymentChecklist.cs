namespace DurableEval.Evaluation;

/// <summary>One thing to settle before production: a criterion that was weak or not evaluated for the engine.</summary>
public sealed record ChecklistItem(CriterionResult Result, IReadOnlyList<Segment> Line)
{
    public bool NotEvaluated => !Result.Rating.IsEvaluated;

    public string PlainText => Segment.PlainText(Line);
}

/// <summary>One engine's checklist; <see cref="Items"/> in catalog order.</summary>
public sealed record EngineChecklist(Engine Engine, IReadOnlyList<ChecklistItem> Items)
{
    public int Weak => Items.Count(i => !i.NotEvaluated);

    public int NotEvaluated => Items.Count(i => i.NotEvaluated);
}

/// <summary>
/// The deployment checklist, derived per engine from its criteria that were weak (below <see cref="Rubric.Good"/>
/// stars) or applicable but not evaluated. A criterion that does not apply to the engine is never on it.
/// </summary>
public static class DeploymentChecklist
{
    public static readonly string Rule =
        $"One line per criterion that applies to the engine and was rated below {Rubric.Good.ToString(System.Globalization.CultureInfo.InvariantCulture)} stars (with the rating's reason and the next step: " +
        "for Temporal the catalog's \"to raise the rating\", for another engine the support it documents) or was not evaluated (with why; evaluate it " +
        "before production). Criteria that do not apply to the engine are not listed.";

    public static bool Belongs(CriterionResult r) =>
        r.Rating.IsApplicable && (!r.Rating.IsEvaluated || r.Rating.Stars < Rubric.Good);

    public static EngineChecklist For(EvaluationReport report) =>
        new(report.Engine, report.Results.Where(Belongs).Select(r => new ChecklistItem(r, Line(report, r))).ToList());

    /// <summary>Every engine's checklist, subject engine first.</summary>
    public static IReadOnlyList<EngineChecklist> Derive(IReadOnlyList<EvaluationReport> reports) =>
        ComparisonTable.Ordered(reports).Select(For).ToList();

    private static IReadOnlyList<Segment> Line(EvaluationReport report, CriterionResult r)
    {
        var d = r.Definition;
        var head = new[] { Segment.Link(report.Engine, d.Id), Segment.Plain($" {d.Name}") };
        if (!r.Rating.IsEvaluated)
        {
            return ComparisonTable.Tidy(head.Append(Segment.Plain($": not evaluated \u2014 {NotEvaluatedReason.Text(r, report)}; evaluate before production")));
        }

        return ComparisonTable.Tidy(head.Concat(
        [
            Segment.Plain(" "),
            Segment.StarsOf(r.Rating.Stars!.Value, compact: false),
            Segment.Plain($" {r.Rating.Label}: {NotEvaluatedReason.Cut(r.Rating.Reason)}; {NextStep(report.Engine, d)}"),
        ]));
    }

    // Temporal's catalog says what would raise each rating; another engine's scope says what that engine documents
    // for the feature (the catalog's text names Temporal's features and servers, so it would mislead there).
    private static string NextStep(Engine engine, CriterionDefinition d)
    {
        if (engine.Id == Engines.Temporal.Id)
        {
            return $"to raise the rating: {d.ToRaise}";
        }

        var scope = EngineScope.For(engine, d);
        return $"{engine.Name} documents ({scope.Support.ToString().ToLowerInvariant()} support): {scope.Source}";
    }
}
