using System.Text.Json;

namespace DurableEval.Evaluation;

/// <summary>How long the team's workflows run; decides conditional fail-close rules (VR-01).</summary>
public enum WorkflowDuration
{
    Seconds,
    Minutes,
    Hours,
    Days,
    Months,
}

/// <summary>
/// The team's prerequisites. Only <see cref="Duration"/> changes a rule today; the rest is printed in the report
/// so a reader knows which workload the verdict was computed for.
/// </summary>
public sealed record EvaluationProfile(
    WorkflowDuration Duration,
    string SideEffects,
    string Deployment,
    string Scale,
    string Determinism,
    string Language,
    string Source)
{
    public static EvaluationProfile Default { get; } =
        new(WorkflowDuration.Minutes, "external", "self-hosted", "moderate", "strict", "csharp", "defaults");

    public IReadOnlyList<(string Field, string Value)> Fields =>
    [
        ("duration", Duration.ToString().ToLowerInvariant()),
        ("sideEffects", SideEffects),
        ("deployment", Deployment),
        ("scale", Scale),
        ("determinism", Determinism),
        ("language", Language),
    ];
}

/// <summary>A profile that cannot be read; the message is one line naming the file and the field.</summary>
public sealed class ProfileException(string message) : Exception(message);

/// <summary>
/// Loads the profile: defaults, then the JSON file (if any), then DURABLEEVAL_PROFILE_* environment overrides.
/// </summary>
public static class ProfileLoader
{
    public const string FileVariable = "DURABLEEVAL_PROFILE";
    public const string OverridePrefix = "DURABLEEVAL_PROFILE_";

    private static readonly string[] KnownFields =
        ["duration", "sideEffects", "deployment", "scale", "determinism", "language"];

    public static EvaluationProfile Load(string? path, IReadOnlyDictionary<string, string> environment)
    {
        var values = EvaluationProfile.Default.Fields.ToDictionary(f => f.Field, f => f.Value, StringComparer.Ordinal);
        var sources = new List<string>();
        if (path is not null)
        {
            ReadFile(path, values);
            sources.Add(Path.GetFileName(path));
        }

        // A misspelt override (DURABLEEVAL_PROFILE_DURATON) would otherwise be ignored and the verdict computed for the wrong workload.
        var overrides = KnownFields.Select(f => OverridePrefix + ToVariableSuffix(f)).ToList();
        var unknown = environment.Keys.Where(k => k.StartsWith(OverridePrefix, StringComparison.Ordinal) && !overrides.Contains(k, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal).FirstOrDefault();
        if (unknown is not null)
        {
            throw new ProfileException($"{unknown}: not a profile field; use one of {string.Join(", ", overrides)}, or unset it.");
        }

        foreach (var field in KnownFields)
        {
            var variable = OverridePrefix + ToVariableSuffix(field);
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                values[field] = value.Trim();
                sources.Add(variable);
            }
        }

        var durationText = values["duration"];
        // Only a member's own name: Enum.TryParse would also take numbers and comma-joined names as flags.
        var name = Enum.GetNames<WorkflowDuration>().FirstOrDefault(n => string.Equals(n, durationText.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null || !Enum.TryParse<WorkflowDuration>(name, out var duration))
        {
            var origin = sources.LastOrDefault(s => s.EndsWith("DURATION", StringComparison.Ordinal)) ?? path ?? "profile";
            throw new ProfileException(
                $"{origin}: field 'duration' must be one of {DurationChoices} (got '{durationText}'); set it to one of them.");
        }

        return new EvaluationProfile(
            duration,
            values["sideEffects"],
            values["deployment"],
            values["scale"],
            values["determinism"],
            values["language"],
            sources.Count == 0 ? "defaults" : "defaults + " + string.Join(" + ", sources));
    }

    private static string DurationChoices =>
        string.Join(", ", Enum.GetNames<WorkflowDuration>().Select(n => n.ToLowerInvariant()));

    private static string ToVariableSuffix(string field) =>
        string.Concat(field.Select(ch => char.IsUpper(ch) ? "_" + ch : char.ToUpperInvariant(ch).ToString()));

    private static void ReadFile(string path, Dictionary<string, string> values)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException($"{path}: cannot be read ({e.Message}); fix the path in {FileVariable} or remove the variable.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ProfileException($"{path}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {FirstSentence(e.Message)} Fix the file, or point {FileVariable} at another.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ProfileException($"{path}: the profile must be a JSON object such as {{\"duration\": \"minutes\"}}.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var field = KnownFields.FirstOrDefault(f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase));
                if (field is null)
                {
                    throw new ProfileException(
                        $"{path}: unknown field '{property.Name}'; known fields are {string.Join(", ", KnownFields)}; rename or remove it.");
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new ProfileException($"{path}: field '{field}' must be a string (got {property.Value.ValueKind.ToString().ToLowerInvariant()}); quote the value.");
                }

                values[field] = property.Value.GetString()!;
            }
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
