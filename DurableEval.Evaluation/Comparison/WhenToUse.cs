namespace DurableEval.Evaluation;

/// <summary>A criterion on which <see cref="Leader"/> is rated at least <see cref="WhenToUse.Gap"/> stars above each engine in <see cref="Behind"/>.</summary>
public sealed record Lead(CriterionResult Leader, IReadOnlyList<CriterionResult> Behind)
{
    public CriterionDefinition Criterion => Leader.Definition;
}

/// <summary>One engine's when-to-use sentence and the leads it rests on; <see cref="Compared"/> counts the criteria it could be compared on.</summary>
public sealed record WhenToUseEntry(Engine Engine, IReadOnlyList<Lead> Leads, int Compared, IReadOnlyList<Segment> Sentence)
{
    public string PlainText => Segment.PlainText(Sentence);
}

/// <summary>
/// "When to use" each engine, derived only from the criteria on which two engines' ratings differ by
/// <see cref="Gap"/> or more stars, both evaluated. No conclusion is written by hand: the sentence names the
/// categories (the catalog's names) and the criteria with both engines' stars.
/// </summary>
public static class WhenToUse
{
    public const int Gap = 2;

    public const string Rule =
        "A criterion counts for an engine when that engine and another both evaluated it and the engine is rated 2 or more " +
        "stars higher; each engine lists those criteria by category, with the stars of every engine it leads by that much. " +
        "Criteria not evaluated for either engine, or not applicable to it, are never compared.";

    /// <summary>The criteria where <paramref name="engine"/> leads some other engine by <see cref="Gap"/> or more stars, in catalog order.</summary>
    public static IReadOnlyList<Lead> LeadsOf(EvaluationReport engine, IReadOnlyList<EvaluationReport> all)
    {
        var leads = new List<Lead>();
        foreach (var mine in engine.Results.Where(r => r.Rating.IsEvaluated).Select(r => r with { Engine = engine.Engine }))
        {
            var behind = Others(engine, all)
                .Select(o => o.Results.FirstOrDefault(r => r.Definition.Id == mine.Definition.Id) is { } theirs ? theirs with { Engine = o.Engine } : null)
                .OfType<CriterionResult>()
                .Where(r => r.Rating.IsEvaluated && mine.Rating.Stars!.Value - r.Rating.Stars!.Value >= Gap)
                .ToList();
            if (behind.Count > 0)
            {
                leads.Add(new Lead(mine, behind));
            }
        }

        return leads;
    }

    /// <summary>How many criteria <paramref name="engine"/> and at least one other engine both evaluated.</summary>
    public static int ComparedOn(EvaluationReport engine, IReadOnlyList<EvaluationReport> all) =>
        engine.Results.Count(mine => mine.Rating.IsEvaluated && Others(engine, all).Any(o =>
            o.Results.Any(r => r.Definition.Id == mine.Definition.Id && r.Rating.IsEvaluated)));

    public static IReadOnlyList<WhenToUseEntry> Derive(IReadOnlyList<EvaluationReport> reports)
    {
        var ordered = ComparisonTable.Ordered(reports);
        return ordered.Select(report =>
        {
            var leads = LeadsOf(report, ordered);
            var compared = ComparedOn(report, ordered);
            return new WhenToUseEntry(report.Engine, leads, compared, Sentence(report.Engine, leads, compared));
        }).ToList();
    }

    private static IReadOnlyList<Segment> Sentence(Engine engine, IReadOnlyList<Lead> leads, int compared)
    {
        if (compared == 0)
        {
            return [Segment.Plain($"{engine.Name}: nothing to compare; no criterion was evaluated both for {engine.Name} and for another engine.")];
        }

        if (leads.Count == 0)
        {
            return [Segment.Plain($"{engine.Name}: leads no other engine by {Int(Gap)} or more stars {(compared == 1 ? "on the one criterion" : $"on any of the {Int(compared)} criteria")} it was compared on.")];
        }

        var segments = new List<Segment> { Segment.Plain($"Choose {engine.Name} for ") };
        var byCategory = leads.GroupBy(l => l.Criterion.Category).ToList();
        for (var c = 0; c < byCategory.Count; c++)
        {
            segments.Add(Segment.Plain((c == 0 ? string.Empty : "; ") + byCategory[c].Key.Name + " ("));
            var inCategory = byCategory[c].ToList();
            for (var i = 0; i < inCategory.Count; i++)
            {
                var lead = inCategory[i];
                segments.Add(Segment.Plain(i == 0 ? string.Empty : ", "));
                segments.Add(Segment.Link(engine, lead.Criterion.Id));
                segments.Add(Segment.Plain($" {lead.Criterion.Name} "));
                segments.Add(Segment.StarsOf(lead.Leader.Rating.Stars!.Value, compact: true));
                for (var b = 0; b < lead.Behind.Count; b++)
                {
                    segments.Add(Segment.Plain(b == 0 ? " vs " : " and "));
                    segments.Add(Segment.Link(lead.Behind[b].Engine, lead.Criterion.Id, lead.Behind[b].Engine.Name));
                    segments.Add(Segment.Plain(" "));
                    segments.Add(Segment.StarsOf(lead.Behind[b].Rating.Stars!.Value, compact: true));
                }
            }

            segments.Add(Segment.Plain(")"));
        }

        segments.Add(Segment.Plain("."));
        return ComparisonTable.Tidy(segments);
    }

    private static string Int(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<EvaluationReport> Others(EvaluationReport engine, IReadOnlyList<EvaluationReport> all) =>
        all.Where(o => o.Engine.Id != engine.Engine.Id);
}
