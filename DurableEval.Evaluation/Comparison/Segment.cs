namespace DurableEval.Evaluation;

public enum SegmentKind
{
    Text,

    /// <summary>A star count: drawn in full ("⭐⭐⭐") or compact ("⭐3") by each renderer.</summary>
    Stars,

    /// <summary>A link to one engine's evidence for one criterion.</summary>
    Evidence,
}

/// <summary>
/// A piece of a derived line (a comparison cell, a when-to-use sentence, a checklist item). The derived sections are
/// computed once as segments, so REPORT.md and report.html print the same words and differ only in how they draw
/// stars and links.
/// </summary>
public sealed record Segment(SegmentKind Kind, string Text, int? Stars = null, bool Compact = false, Engine? Engine = null, string? Criterion = null)
{
    public static Segment Plain(string text) => new(SegmentKind.Text, text);

    public static Segment StarsOf(int stars, bool compact) => new(SegmentKind.Stars, string.Empty, stars, compact);

    /// <summary>A link to <paramref name="engine"/>'s evidence for <paramref name="criterion"/>, reading <paramref name="text"/> (the id by default).</summary>
    public static Segment Link(Engine engine, string criterion, string? text = null) => new(SegmentKind.Evidence, text ?? criterion, Engine: engine, Criterion: criterion);

    /// <summary>The line as plain text (compact stars as "⭐3"), for tests and for readers without links.</summary>
    public static string PlainText(IEnumerable<Segment> segments) =>
        string.Concat(segments.Select(s => s.Kind switch
        {
            SegmentKind.Stars when s.Compact => "\u2B50" + s.Stars!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SegmentKind.Stars => Rubric.StarsText(s.Stars),
            _ => s.Text,
        }));
}
