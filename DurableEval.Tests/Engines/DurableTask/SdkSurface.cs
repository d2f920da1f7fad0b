using System.Reflection;
using DurableEval.Tests.Evidence;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// What the Durable Task SDK the worker runs offers, read by reflection, so that a finding like "there is no
/// start-to-close timeout" follows the package version instead of being written down: a version that adds the
/// setting turns the finding into "present, not exercised".
/// </summary>
public static class SdkSurface
{
    /// <summary>Methods every record or object has; they say nothing about what the type offers.</summary>
    private static readonly HashSet<string> Boilerplate = new(StringComparer.Ordinal) { "Equals", "GetHashCode", "ToString", "GetType", "Deconstruct" };

    /// <summary>The public properties and methods (inherited ones included; object's, records' and compiler-made ones excluded) of each type, as Type.Member.</summary>
    public static IReadOnlyList<string> Members(params Type[] types) =>
        types.SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .Where(m => m is PropertyInfo or MethodInfo && !(m is MethodInfo { IsSpecialName: true }) && !Boilerplate.Contains(m.Name) && !m.Name.Contains('<', StringComparison.Ordinal) && m.Name != "op_Equality" && m.Name != "op_Inequality")
                .Select(m => $"{t.Name}.{m.Name}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The members whose name contains any of <paramref name="keywords"/> (case-insensitive).</summary>
    public static IReadOnlyList<string> Matching(IReadOnlyList<string> members, params string[] keywords) =>
        members.Where(m => keywords.Any(k => m.Split('.')[^1].Contains(k, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>
    /// A setting looked for in the SDK's options: absent, the check fails with what the options do offer and
    /// <paramref name="note"/>; present, it is "not run" (the fact does not exercise it yet), never a pass on a name alone.
    /// </summary>
    public static void ExpectAbsent(CheckScope checks, string id, IReadOnlyList<string> surface, string[] keywords, string note)
    {
        var found = Matching(surface, keywords);
        if (found.Count > 0)
        {
            checks.NotRun(id, $"the SDK now offers {string.Join(", ", found)}; this fact does not exercise it yet: extend it");
            return;
        }

        checks.Expect(
            id,
            false,
            $"no setting named for {string.Join(" or ", keywords)} in Microsoft.DurableTask {typeof(Microsoft.DurableTask.TaskOptions).Assembly.GetName().Version}; the options offer {string.Join(", ", surface)}; {note}");
    }
}
