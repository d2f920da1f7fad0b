using DurableEval.Evaluation;

namespace DurableEval.Tests.Reporting;

/// <summary>Where the run's policy comes from: DURABLEEVAL_POLICY, else durableeval.policy.json at the repository root, else none.</summary>
public static class PolicyFiles
{
    private static readonly Lazy<Policy> CurrentPolicy = new(() => Load(Settings.Current));

    /// <summary>The run's policy, read once; a malformed file throws its one-line <see cref="PolicyException"/> at every use.</summary>
    public static Policy Current => CurrentPolicy.Value;

    public static string? PathFor(Settings settings)
    {
        if (settings.Environment.TryGetValue(PolicyLoader.FileVariable, out var path) && !string.IsNullOrWhiteSpace(path))
        {
            return path.Trim();
        }

        var atRoot = Path.Combine(Settings.RepositoryRoot, Policy.FileName);
        return File.Exists(atRoot) ? atRoot : null;
    }

    public static Policy Load(Settings settings) => PolicyLoader.Load(PathFor(settings));
}
