using System.Globalization;
using DurableEval.Tests.Evidence;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// DX-01's size of an engine's minimal sample, for every engine. A measurement, not a check: how small "small" must be
/// is an opinion, and the file is ours, so no platform behaviour could make a bar on it fail.
/// </summary>
public static class MinimalSample
{
    /// <summary>
    /// Records the sample's code and body lines as metrics and one finding: "<paramref name="holds"/>, is N code
    /// lines (M without using and namespace lines).", then <paramref name="note"/> when given; a missing file is said so.
    /// </summary>
    public static void Measure(FactRecorder fact, string path, string holds, string? note = null)
    {
        if (!File.Exists(path))
        {
            fact.Finding($"Minimal sample not measured: {path} is missing.");
            return;
        }

        var source = File.ReadAllText(path);
        var lines = SourceLines.CountCode(source);
        var body = SourceLines.CountBody(source);
        fact.Metric("minimal_sample_code_lines", lines, "lines");
        fact.Metric("minimal_sample_body_lines", body, "lines");
        fact.Finding(string.Create(
            CultureInfo.InvariantCulture,
            $"Size (a metric, not rated): {Path.GetFileName(path)}, {holds}, is {lines} code lines ({body} without using and namespace lines).{(note is null ? string.Empty : " " + note)}"));
    }
}
