namespace DurableEval.Evaluation;

public enum CellState
{
    Rated,

    /// <summary>Some row criterion applies to the engine, none was evaluated: evidence is missing.</summary>
    NotEvaluated,

    /// <summary>No row criterion applies to the engine (its scope says why): nothing is missing.</summary>
    NotApplicable,
}

/// <summary>One engine's cell in a comparison row; <see cref="Segments"/> is what the reader sees.</summary>
public sealed record ComparisonCell(Engine Engine, CellState State, int? Stars, IReadOnlyList<Segment> Segments)
{
    public string PlainText => Segment.PlainText(Segments);
}

/// <summary>A row of the comparison: a named row of the source evaluation or a category.</summary>
public sealed record ComparisonLine(string Label, string Why, IReadOnlyList<string> Criteria, IReadOnlyList<ComparisonCell> Cells);

/// <summary>The engines side by side, row by row, computed from each engine's report (pure).</summary>
public static class ComparisonTable
{
    public const string Rule =
        "Each named row is the set of catalog criteria listed under the table. A cell's stars are the mean of that engine's " +
        "evaluated criteria in the row, rounded down to whole stars as the overall rating is; beside them are the stars of " +
        "each criterion averaged, linked to its evidence, and the row's criteria that were not evaluated or do not apply " +
        "to the engine. A category row takes the category average from the engine's own report (its coverage summary), " +
        "rounded down the same way. A cell with no evaluated criterion reads \"not evaluated\" with the reason (stated once " +
        "when the row's criteria share it); \"not applicable\" means no criterion of the row applies to the engine, as its " +
        "scope documents, and nothing is missing.";

    /// <summary>The engines in report order, subject first (the order every derived section uses).</summary>
    public static IReadOnlyList<EvaluationReport> Ordered(IReadOnlyList<EvaluationReport> reports) =>
        reports.Select((r, i) => (r, i)).OrderBy(x => x.r.Engine.IsSubject ? 0 : 1).ThenBy(x => x.i).Select(x => x.r).ToList();

    public static IReadOnlyList<ComparisonLine> Build(IReadOnlyList<EvaluationReport> reports)
    {
        var ordered = Ordered(reports);
        var lines = ComparisonRows.Source
            .Select(row => new ComparisonLine(row.Name, row.Why, row.Criteria, ordered.Select(r => NamedCell(r, row.Criteria)).ToList()))
            .ToList();
        foreach (var category in Categories.All)
        {
            var ids = Catalog.All.Where(c => c.Category == category).Select(c => c.Id).ToList();
            if (!ordered.Any(r => r.Results.Any(x => x.Definition.Category == category)))
            {
                continue;
            }

            lines.Add(new ComparisonLine($"{category.Code} {category.Name}", "category average", ids, ordered.Select(r => CategoryCell(r, category)).ToList()));
        }

        return lines;
    }

    /// <summary>The cell of a named row: the mean of the engine's evaluated criteria in <paramref name="criteria"/>, rounded down.</summary>
    public static ComparisonCell NamedCell(EvaluationReport report, IReadOnlyList<string> criteria)
    {
        var members = Members(report, criteria);
        var stars = members.Evaluated.Count == 0 ? (int?)null : RoundDown(members.Evaluated.Average(r => r.Rating.Stars!.Value));
        return Cell(report, members, stars, members.Evaluated.Count > 1 ? members.Evaluated.Average(r => r.Rating.Stars!.Value) : null);
    }

    /// <summary>The cell of a category row: the category average from the engine's report, rounded down.</summary>
    public static ComparisonCell CategoryCell(EvaluationReport report, Category category)
    {
        var members = Members(report, Catalog.All.Where(c => c.Category == category).Select(c => c.Id).ToList());
        var average = report.Categories.FirstOrDefault(c => c.Category == category)?.Average;
        return Cell(report, members, average is { } a ? RoundDown(a) : null, average);
    }

    /// <summary>Rounded down as the overall is, so a cell never claims more than its evidence averages to (1e-9 absorbs floating-point noise).</summary>
    public static int RoundDown(double mean) => Math.Max(1, (int)Math.Floor(mean + 1e-9));

    private sealed record RowMembers(List<CriterionResult> Evaluated, List<CriterionResult> NotEvaluated, List<CriterionResult> NotApplicable, List<string> Missing);

    private static RowMembers Members(EvaluationReport report, IReadOnlyList<string> criteria)
    {
        var results = criteria.Select(id => (Id: id, Result: report.Results.FirstOrDefault(r => r.Definition.Id == id))).ToList();
        var present = results.Where(x => x.Result is not null).Select(x => x.Result!).ToList();
        return new RowMembers(
            present.Where(r => r.Rating.IsEvaluated).ToList(),
            present.Where(r => r.Rating.IsApplicable && !r.Rating.IsEvaluated).ToList(),
            present.Where(r => !r.Rating.IsApplicable).ToList(),
            results.Where(x => x.Result is null).Select(x => x.Id).ToList());
    }

    private static ComparisonCell Cell(EvaluationReport report, RowMembers m, int? stars, double? mean)
    {
        var engine = report.Engine;
        if (stars is { } s)
        {
            var segments = new List<Segment> { Segment.StarsOf(s, compact: false), Segment.Plain(" (") };
            if (mean is { } value)
            {
                segments.Add(Segment.Plain($"mean {EvaluationReport.Number(value)}: "));
            }

            for (var i = 0; i < m.Evaluated.Count; i++)
            {
                segments.Add(Segment.Plain(i == 0 ? string.Empty : ", "));
                segments.Add(Segment.Link(engine, m.Evaluated[i].Definition.Id));
                segments.Add(Segment.Plain(" "));
                segments.Add(Segment.StarsOf(m.Evaluated[i].Rating.Stars!.Value, compact: true));
            }

            AppendIds(segments, engine, "; not evaluated: ", m.NotEvaluated.Select(r => r.Definition.Id).Concat(m.Missing).ToList());
            AppendIds(segments, engine, "; not applicable: ", m.NotApplicable.Select(r => r.Definition.Id).ToList());
            segments.Add(Segment.Plain(")"));
            return new ComparisonCell(engine, CellState.Rated, s, Tidy(segments));
        }

        if (m.NotEvaluated.Count > 0 || m.Missing.Count > 0)
        {
            var reasons = m.NotEvaluated.Select(r => (r.Definition.Id, Text: NotEvaluatedReason.Text(r, report)))
                .Concat(m.Missing.Select(id => (Id: id, Text: "not in this engine's results")))
                .ToList();
            var segments = Grouped("not evaluated: ", engine, reasons);
            AppendIds(segments, engine, "; not applicable: ", m.NotApplicable.Select(r => r.Definition.Id).ToList());
            return new ComparisonCell(engine, CellState.NotEvaluated, null, Tidy(segments));
        }

        return new ComparisonCell(
            engine,
            CellState.NotApplicable,
            null,
            Tidy(Grouped("not applicable: ", engine, m.NotApplicable.Select(r => (r.Definition.Id, Text: r.Rating.Reason)).ToList())));
    }

    // One reason shared by every criterion is stated once; otherwise each reason is preceded by the criteria it holds for.
    private static List<Segment> Grouped(string lead, Engine engine, IReadOnlyList<(string Id, string Text)> reasons)
    {
        var groups = reasons.GroupBy(x => x.Text, StringComparer.Ordinal).ToList();
        var segments = new List<Segment> { Segment.Plain(lead) };
        if (groups.Count == 1)
        {
            segments.Add(Segment.Plain(groups[0].Key));
            return segments;
        }

        for (var g = 0; g < groups.Count; g++)
        {
            var ids = groups[g].Select(x => x.Id).ToList();
            segments.Add(Segment.Plain(g == 0 ? string.Empty : "; "));
            for (var i = 0; i < ids.Count; i++)
            {
                segments.Add(Segment.Plain(i == 0 ? string.Empty : ", "));
                segments.Add(Segment.Link(engine, ids[i]));
            }

            segments.Add(Segment.Plain(": " + groups[g].Key));
        }

        return segments;
    }

    private static void AppendIds(List<Segment> segments, Engine engine, string lead, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        segments.Add(Segment.Plain(lead));
        for (var i = 0; i < ids.Count; i++)
        {
            segments.Add(Segment.Plain(i == 0 ? string.Empty : ", "));
            segments.Add(Segment.Link(engine, ids[i]));
        }
    }

    /// <summary>Drops empty text and joins neighbouring text, so the segments compare and render simply.</summary>
    internal static IReadOnlyList<Segment> Tidy(IEnumerable<Segment> segments)
    {
        var tidy = new List<Segment>();
        foreach (var s in segments)
        {
            if (s.Kind == SegmentKind.Text && s.Text.Length == 0)
            {
                continue;
            }

            if (s.Kind == SegmentKind.Text && tidy.Count > 0 && tidy[^1].Kind == SegmentKind.Text)
            {
                tidy[^1] = Segment.Plain(tidy[^1].Text + s.Text);
                continue;
            }

            tidy.Add(s);
        }

        return tidy;
    }
}
