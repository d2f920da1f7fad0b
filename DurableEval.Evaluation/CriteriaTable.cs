using System.Text;

namespace DurableEval.Evaluation;

/// <summary>
/// The README's criteria table, rendered from the catalog, the engines' scopes and the facts that exist, so the
/// README cannot drift from them. A column per engine other than Temporal: "n/a" outside its scope, else its
/// documented support level and whether a fact exists.
/// </summary>
public static class CriteriaTable
{
    public const string Begin = "<!-- criteria-table:begin (generated from the catalog; see README) -->";
    public const string End = "<!-- criteria-table:end -->";

    public static string Render(IReadOnlySet<FactKey> facts)
    {
        var others = Engines.All.Where(e => !e.IsSubject).ToList();
        var text = new StringBuilder();
        text.Append(Begin).Append('\n');
        text.Append("| ID | Criterion | Fail-close | Support | Servers | Fact |")
            .Append(string.Concat(others.Select(e => $" {e.Name} |")))
            .Append("\n|---|---|---|---|---|---|").Append(string.Concat(others.Select(_ => "---|"))).Append('\n');
        foreach (var c in Catalog.All)
        {
            text.Append($"| {c.Id} | {c.Name} | {MarkdownReport.RuleText(c.FailClose)} | {c.Support.ToString().ToLowerInvariant()} | ")
                .Append($"{MarkdownReport.Servers(c.Servers)} | {(facts.Contains(FactKey.Temporal(c.Id)) ? "yes" : "not yet")} |")
                .Append(string.Concat(others.Select(e => $" {EngineCell(e, c, facts)} |")))
                .Append('\n');
        }

        text.Append(End);
        return text.ToString();
    }

    /// <summary>"n/a" when the criterion does not apply to the engine; else "pattern; yes" (support; a fact exists) or "native; not yet".</summary>
    public static string EngineCell(Engine engine, CriterionDefinition criterion, IReadOnlySet<FactKey> facts)
    {
        var scope = EngineScope.For(engine, criterion);
        return !scope.Applies
            ? Rubric.NotApplicableStars
            : $"{scope.Support.ToString().ToLowerInvariant()}; {(facts.Contains(new FactKey(engine.Id, criterion.Id)) ? "yes" : "not yet")}";
    }

    /// <summary>Replaces the table between the markers in a README's text.</summary>
    public static string Splice(string readme, string table)
    {
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"README has no criteria table markers ({Begin} ... {End}).");
        }

        return readme[..start] + table + readme[(end + End.Length)..];
    }
}
