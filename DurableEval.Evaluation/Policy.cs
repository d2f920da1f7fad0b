using System.Globalization;
using System.Text.Json;

namespace DurableEval.Evaluation;

public enum PolicyMode
{
    /// <summary>Each fact asserts its bar, and the gate fails on a violation.</summary>
    Enforced,

    /// <summary>The bars are printed and violations listed, but facts assert only the rubric's bar and the gate passes.</summary>
    Disabled,
}

/// <summary>
/// Minimum stars per criterion or category (Scorecard's policy idea), read from durableeval.policy.json. The most
/// specific bar wins: criterion, then category, then <see cref="MinStars"/>.
/// </summary>
public sealed record Policy(
    PolicyMode Mode,
    int MinStars,
    IReadOnlyDictionary<string, int> Categories,
    IReadOnlyDictionary<string, int> Criteria,
    bool FailOnRegression,
    string Source)
{
    public const string FileName = "durableeval.policy.json";

    public static Policy Default { get; } = new(
        PolicyMode.Enforced, Rubric.Bar, new Dictionary<string, int>(), new Dictionary<string, int>(), false, "none: the rubric's bar");

    public bool IsEnforced => Mode == PolicyMode.Enforced;

    public int BarFor(CriterionDefinition criterion) =>
        Criteria.TryGetValue(criterion.Id, out var c) ? c
        : Categories.TryGetValue(criterion.Category.Code, out var k) ? k
        : MinStars;

    /// <summary>The bar a fact asserts: its policy bar when the policy is enforced, else the rubric's.</summary>
    public int AssertedBarFor(CriterionDefinition criterion) => IsEnforced ? BarFor(criterion) : Rubric.Bar;

    /// <summary>One line per rule, for the report.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>
        {
            $"mode: {Mode.ToString().ToLowerInvariant()}",
            $"minimum stars: {Int(MinStars)}",
        };
        lines.AddRange(Categories.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"category {c.Key}: at least {Int(c.Value)} stars"));
        lines.AddRange(Criteria.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"criterion {c.Key}: at least {Int(c.Value)} stars"));
        lines.Add($"fail on regression against a baseline: {(FailOnRegression ? "yes" : "no")}");
        return lines;
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A policy file that cannot be used; the message is one line naming the file and the field.</summary>
public sealed class PolicyException(string message) : Exception(message);

/// <summary>Reads durableeval.policy.json: unknown fields, wrong types and out-of-range stars are errors, never ignored.</summary>
public static class PolicyLoader
{
    public const string FileVariable = "DURABLEEVAL_POLICY";

    private static readonly string[] KnownFields = ["mode", "minStars", "categories", "criteria", "failOnRegression"];

    public static Policy Load(string? path)
    {
        if (path is null)
        {
            return Policy.Default;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"{path}: cannot be read ({e.Message}); fix the path in {FileVariable} or remove the file.");
        }

        return Parse(text, path);
    }

    public static Policy Parse(string text, string origin)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PolicyException($"{origin}: not valid JSON at line {((e.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}; fix the file or remove it.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException($"{origin}: the policy must be a JSON object such as {{\"mode\": \"enforced\", \"minStars\": 3}}.");
            }

            var mode = PolicyMode.Enforced;
            var minStars = Rubric.Bar;
            var categories = new Dictionary<string, int>(StringComparer.Ordinal);
            var criteria = new Dictionary<string, int>(StringComparer.Ordinal);
            var failOnRegression = false;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "mode":
                        mode = property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is "enforced" or "disabled"
                            ? property.Value.GetString() == "enforced" ? PolicyMode.Enforced : PolicyMode.Disabled
                            : throw new PolicyException($"{origin}: field 'mode' must be \"enforced\" or \"disabled\" (got {property.Value.GetRawText()}).");
                        break;
                    case "minStars":
                        minStars = Stars(property.Value, origin, "minStars");
                        break;
                    case "categories":
                        Bars(property.Value, origin, "categories", categories, code => Evaluation.Categories.All.Any(c => c.Code == code),
                            "a category code (" + string.Join(", ", Evaluation.Categories.All.Select(c => c.Code)) + ")");
                        break;
                    case "criteria":
                        Bars(property.Value, origin, "criteria", criteria, id => Catalog.Find(id) is not null, "a criterion id such as EX-03");
                        break;
                    case "failOnRegression":
                        failOnRegression = property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                            ? property.Value.GetBoolean()
                            : throw new PolicyException($"{origin}: field 'failOnRegression' must be true or false (got {property.Value.GetRawText()}).");
                        break;
                    default:
                        throw new PolicyException($"{origin}: unknown field '{property.Name}'; known fields are {string.Join(", ", KnownFields)}.");
                }
            }

            return new Policy(mode, minStars, categories, criteria, failOnRegression, Path.GetFileName(origin));
        }
    }

    private static void Bars(JsonElement value, string origin, string field, Dictionary<string, int> into, Func<string, bool> known, string what)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"{origin}: field '{field}' must be an object mapping {what} to minimum stars.");
        }

        foreach (var entry in value.EnumerateObject())
        {
            if (!known(entry.Name))
            {
                throw new PolicyException($"{origin}: field '{field}.{entry.Name}': '{entry.Name}' is not {what}.");
            }

            into[entry.Name] = Stars(entry.Value, origin, $"{field}.{entry.Name}");
        }
    }

    private static int Stars(JsonElement value, string origin, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var stars) && stars is >= 1 and <= 5
            ? stars
            : throw new PolicyException($"{origin}: field '{field}' must be a whole number of stars from 1 to 5 (got {value.GetRawText()}).");
}

/// <summary>One criterion that breaks the policy: below its bar, or (with failOnRegression) worse than the baseline.</summary>
public sealed record PolicyViolation(string Criterion, string What, bool IsRegression = false);

/// <summary>The policy applied to a run and what it found; <see cref="Fails"/> is what a gate's exit code follows.</summary>
public sealed record PolicyOutcome(Policy Policy, IReadOnlyList<PolicyViolation> Violations)
{
    public static PolicyOutcome Default { get; } = new(Policy.Default, []);

    public bool Fails => Policy.IsEnforced && Violations.Count > 0;

    public string Summary =>
        (Violations.Count == 0 ? "met"
        : $"{(Fails ? "failed" : "not enforced, would fail")}: {string.Join("; ", Violations.Select(v => $"{v.Criterion} {v.What}"))}") + $" (policy: {Policy.Source})";
}

/// <summary>The gate: a pure function from a policy, the results and an optional baseline diff to the violations.</summary>
public static class PolicyGate
{
    public static PolicyOutcome Evaluate(Policy policy, IReadOnlyList<CriterionResult> results, BaselineDiff? baseline)
    {
        var violations = results
            .Where(r => r.Rating.Stars is { } s && s < policy.BarFor(r.Definition))
            .Select(r => new PolicyViolation(r.Definition.Id, $"rated {r.Rating.Stars!.Value.ToString(CultureInfo.InvariantCulture)} stars, below its bar of {policy.BarFor(r.Definition).ToString(CultureInfo.InvariantCulture)}"))
            .ToList();
        if (policy.FailOnRegression && baseline is not null)
        {
            violations.AddRange(baseline.Stars.Where(c => c.IsRegression).Select(c => new PolicyViolation(c.Criterion, $"regressed since the baseline: {c.Text}", IsRegression: true)));
        }

        return new PolicyOutcome(policy, violations);
    }
}
