using DurableEval.Evaluation;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Everything a run is configured with that can be malformed — DurableEval's own variables, the profile file and its
/// DURABLEEVAL_PROFILE_* overrides, the policy file and the baseline — checked before the first fact runs and before
/// any server starts, so a typo costs a second, not a whole live run followed by a "Passed!" summary.
/// </summary>
public static class ConfigurationCheck
{
    /// <summary>
    /// The first problem as one line naming the file or variable, the field and the fix; null when the configuration
    /// is usable. Pure over <paramref name="environment"/> and the files it names.
    /// </summary>
    public static string? Problem(IReadOnlyDictionary<string, string> environment)
    {
        Settings settings;
        try
        {
            settings = Settings.FromEnvironment(environment);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }

        try
        {
            settings.LoadProfile();
            PolicyFiles.Load(settings);
        }
        catch (Exception e) when (e is ProfileException or PolicyException)
        {
            return e.Message;
        }

        if (environment.TryGetValue(BaselineDiff.Variable, out var baseline) && !string.IsNullOrWhiteSpace(baseline))
        {
            try
            {
                ResultsReader.Load(baseline.Trim());
            }
            catch (ResultsFileException e)
            {
                return $"{BaselineDiff.Variable}: {e.Message} Point {BaselineDiff.Variable} at a results.json written by this version, or unset it.";
            }
        }

        return DurableTaskEngine.AzureStorageConfiguration.Problem(environment);
    }
}
