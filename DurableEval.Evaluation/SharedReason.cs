using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>
/// A not-run reason shared by several checks (typically "server unavailable; set ..."), stated once in the report
/// with its fix and referenced by <see cref="Key"/> wherever it applies, instead of repeated in every row.
/// </summary>
public sealed record SharedReason(string Key, string Text, int Checks, IReadOnlyList<string> Criteria)
{
    /// <summary>Reasons used by at least two not-run checks, most used first, keyed N1, N2, ... in that order.</summary>
    public static IReadOnlyList<SharedReason> Collect(IReadOnlyList<CriterionResult> results) =>
        results
            .Where(r => r.Evidence is not null)
            .SelectMany(r => r.Evidence!.Checks.Where(c => c.Outcome == CheckOutcome.NotRun).Select(c => (r.Definition.Id, c.Detail)))
            .GroupBy(x => x.Detail, StringComparer.Ordinal)
            .Where(g => g.Count() >= 2)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select((g, i) => new SharedReason(
                "N" + (i + 1).ToString(CultureInfo.InvariantCulture),
                g.Key,
                g.Count(),
                g.Select(x => x.Id).Distinct(StringComparer.Ordinal).ToList()))
            .ToList();

    /// <summary><paramref name="text"/> with every shared reason replaced by its key, so a row stays one short line.</summary>
    public static string Abbreviate(string text, IReadOnlyList<SharedReason> reasons)
    {
        foreach (var reason in reasons)
        {
            text = text.Replace(reason.Text, $"[{reason.Key}]", StringComparison.Ordinal);
        }

        return text;
    }
}
