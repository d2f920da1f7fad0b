using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>A comparison's labels cannot be used (e.g. the wrong number of --label options); one line saying how to fix it.</summary>
public sealed class CompareLabelException(string message) : Exception(message);

/// <summary>
/// Names each compared run by what tells it apart. Two runs' files are often both <c>…/reports/results.json</c>, so
/// the file name alone says nothing: a label is built from the engine and the servers the run's checks ran on
/// (with the external address when the environment names one), then the time it was generated, then as much of
/// the path as differs, adding each only while two labels are still the same.
/// </summary>
public static class CompareLabels
{
    public static IReadOnlyList<string> For(IReadOnlyList<(string Path, EvaluationReport Report)> runs, IReadOnlyList<string> given)
    {
        if (given.Count > 0)
        {
            if (given.Count != runs.Count)
            {
                throw new CompareLabelException(
                    $"compare: {runs.Count.ToString(CultureInfo.InvariantCulture)} results files but {given.Count.ToString(CultureInfo.InvariantCulture)} --label option(s); give one --label per file, in the same order, or none.");
            }

            var blank = given.Select((l, i) => (l, i)).FirstOrDefault(x => string.IsNullOrWhiteSpace(x.l));
            if (blank.l is not null)
            {
                throw new CompareLabelException($"compare: --label number {(blank.i + 1).ToString(CultureInfo.InvariantCulture)} is empty; give each file a label that names it.");
            }

            var duplicate = given.GroupBy(l => l.Trim(), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new CompareLabelException($"compare: --label \"{duplicate.Key}\" is given twice; give each file a label of its own.");
            }

            return given.Select(l => l.Trim()).ToList();
        }

        var labels = runs.Select(r => $"{r.Report.Engine.Name}, {Servers(r.Report)}").ToList();
        labels = Refine(labels, runs.Select(r => r.Report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC").ToList());
        labels = Refine(labels, DistinctPaths(runs.Select(r => r.Path).ToList()));
        return Refine(labels, runs.Select((_, i) => "#" + (i + 1).ToString(CultureInfo.InvariantCulture)).ToList());
    }

    /// <summary>The servers a run's checks ran on, most checks first: "time-skipping test server", "offline only", "no check ran".</summary>
    public static string Servers(EvaluationReport report)
    {
        var checks = report.Results.Where(r => r.Evidence is not null).SelectMany(r => r.Evidence!.Checks).Where(c => c.Outcome != CheckOutcome.NotRun).ToList();
        if (checks.Count == 0)
        {
            return "no check ran";
        }

        var kinds = checks.Where(c => c.Server is not null)
            .GroupBy(c => c.Server!.Kind, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => WithAddress(g.Key, report.Environment.Servers))
            .ToList();
        return kinds.Count == 0 ? "offline only" : string.Join(" + ", kinds);
    }

    // The environment's server line names an external server's address ("external server at host:7233 (...)") when
    // the run recorded one; older files do not, and then the kind alone is used.
    private static string WithAddress(string kind, string environmentServers)
    {
        var prefix = kind + " at ";
        var start = environmentServers.IndexOf(prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return kind;
        }

        var rest = environmentServers[(start + prefix.Length)..];
        var end = rest.IndexOfAny([' ', ';', '(']);
        return prefix + (end < 0 ? rest : rest[..end]);
    }

    // Adds the next distinguishing part to every label that still shares its text with another.
    private static List<string> Refine(List<string> labels, IReadOnlyList<string> parts)
    {
        var clashing = labels.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return labels.Select((l, i) => clashing.Contains(l) && parts[i].Length > 0 ? $"{l}, {parts[i]}" : l).ToList();
    }

    // The shortest trailing part of each path that differs from the others' ("ts/reports/results.json" beside "dev/reports/results.json" → "ts/reports/results.json").
    private static List<string> DistinctPaths(IReadOnlyList<string> paths)
    {
        var split = paths.Select(p => Path.GetFullPath(p).Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var labels = new List<string>();
        for (var i = 0; i < split.Count; i++)
        {
            var label = string.Empty;
            for (var take = 1; take <= split[i].Length; take++)
            {
                label = string.Join("/", split[i][^take..]);
                var candidate = label;
                if (split.Where((_, j) => j != i).All(o => string.Join("/", o[^Math.Min(take, o.Length)..]) != candidate))
                {
                    break;
                }
            }

            labels.Add(label);
        }

        return labels;
    }
}
