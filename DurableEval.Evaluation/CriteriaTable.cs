using System.Text;

namespace DurableEval.Evaluation;

/// <summary>The README's criteria table, rendered from the catalog so the README cannot drift from it.</summary>
public static class CriteriaTable
{
    public const string Begin = "<!-- criteria-table:begin (generated from the catalog; see README) -->";
    public const string End = "<!-- criteria-table:end -->";

    public static string Render(IReadOnlySet<string> criteriaWithFacts)
    {
        var text = new StringBuilder();
        text.Append(Begin).Append('\n');
        text.Append("| ID | Criterion | Fail-close | Support | Servers | Fact |\n|---|---|---|---|---|---|\n");
        foreach (var c in Catalog.All)
        {
            text.Append($"| {c.Id} | {c.Name} | {MarkdownReport.RuleText(c.FailClose)} | {c.Support.ToString().ToLowerInvariant()} | ")
                .Append($"{MarkdownReport.Servers(c.Servers)} | {(criteriaWithFacts.Contains(c.Id) ? "yes" : "not yet")} |\n");
        }

        text.Append(End);
        return text.ToString();
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
