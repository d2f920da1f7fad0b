using System.Globalization;
using System.Text;

namespace DurableEval.Tests.Criteria;

/// <summary>One sample of a scrape: metric name (with any _bucket/_sum/_count suffix), its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>True when every given label is present with the given value (other labels may be there too).</summary>
    public bool Has(IEnumerable<KeyValuePair<string, string>> labels) =>
        labels.All(l => Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}

/// <summary>A parsed scrape: samples plus the HELP and TYPE lines of each family.</summary>
public sealed record PrometheusScrape(IReadOnlyList<PrometheusSample> Samples, IReadOnlyDictionary<string, string> Types, IReadOnlyDictionary<string, string> Help)
{
    public IReadOnlyList<PrometheusSample> Named(string name) => Samples.Where(s => s.Name == name).ToList();

    /// <summary>Sum of the values of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels.Select(l => KeyValuePair.Create(l.Key, l.Value)))).Sum(s => s.Value);

    public IReadOnlySet<string> Families => Types.Keys.ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// The Prometheus text exposition format (version 0.0.4), parsed properly: label values with escapes and commas,
/// optional timestamps, special values (NaN, +Inf). No maintained .NET parser restores here (prometheus-net only
/// writes the format), so this is the smallest one that reads it, with its own tests in SelfTests.
/// </summary>
public static class PrometheusText
{
    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    types[parts[2]] = parts.Length > 3 ? parts[3] : string.Empty;
                }
                else if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    help[parts[2]] = parts.Length > 3 ? parts[3] : string.Empty;
                }

                continue;
            }

            samples.Add(ParseSample(line, lineNumber));
        }

        return new PrometheusScrape(samples, types, help);
    }

    private static PrometheusSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0)
        {
            throw new FormatException($"line {lineNumber}: no metric name in \"{line}\"");
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                SkipSpaces(line, ref i);
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var keyStart = i;
                while (i < line.Length && line[i] != '=' && line[i] != ' ')
                {
                    i++;
                }

                var key = line[keyStart..i];
                SkipSpaces(line, ref i);
                if (key.Length == 0 || i >= line.Length || line[i] != '=' || i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"line {lineNumber}: malformed label near column {i + 1} in \"{line}\"");
                }

                i += 2;
                labels[key] = ReadQuoted(line, ref i, lineNumber);
                SkipSpaces(line, ref i);
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"line {lineNumber}: expected ',' or '}}' after label {key} in \"{line}\"");
                }
            }
        }

        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException($"line {lineNumber}: expected a value and an optional timestamp in \"{line}\"");
        }

        return new PrometheusSample(name, labels, ParseValue(rest[0], lineNumber));
    }

    private static string ReadQuoted(string line, ref int i, int lineNumber)
    {
        var value = new StringBuilder();
        while (i < line.Length)
        {
            var c = line[i++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\' && i < line.Length)
            {
                var escaped = line[i++];
                value.Append(escaped switch
                {
                    'n' => '\n',
                    '\\' => '\\',
                    '"' => '"',
                    _ => throw new FormatException($"line {lineNumber}: unknown escape \\{escaped}"),
                });
                continue;
            }

            value.Append(c);
        }

        throw new FormatException($"line {lineNumber}: unterminated label value");
    }

    private static double ParseValue(string text, int lineNumber) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"line {lineNumber}: value \"{text}\" is not a number"),
    };

    private static void SkipSpaces(string line, ref int i)
    {
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }
    }
}
