namespace DurableEval.Tests.Servers;

/// <summary>
/// The reasons a check prints when it did not run on the server it wanted. Pure, and rendered for every
/// combination of configured and available servers by a self-test, so every printed reason is true: no "set
/// DURABLEEVAL_CLI_PATH" when it is set, no "unavailable" for a server that was never tried.
/// </summary>
public static class ServerReasons
{
    /// <summary>
    /// One clause per wanted kind, after the server the block ran on: not configured (and how to configure it),
    /// configured but unavailable (with the recorded reason), or configured and not chosen (and why not).
    /// </summary>
    public static string NotOn(Settings settings, ServerKind ranOn, IReadOnlyDictionary<ServerKind, string> unavailable, params ServerKind[] wanted)
    {
        var clauses = wanted.Where(kind => kind != ranOn).Select(kind => Clause(settings, kind, ranOn, unavailable.GetValueOrDefault(kind))).ToList();
        return $"this block ran on the {ServerNames.Of(ranOn)}; {string.Join("; ", clauses)}";
    }

    private static string Clause(Settings settings, ServerKind kind, ServerKind ranOn, string? unavailable)
    {
        if (unavailable is not null)
        {
            return $"the {ServerNames.Of(kind)} could not be used: {unavailable}";
        }

        return kind switch
        {
            // A configured external server takes precedence whether or not a CLI is set, so setting one alone would not help.
            ServerKind.Dev when ranOn == ServerKind.External =>
                $"no dev server is started beside the external server under evaluation (a configured TEMPORAL_ADDRESS/TEMPORAL_PROFILE takes precedence); unset those{(settings.CliPath is null ? $" and set {Settings.CliPathVariable}" : string.Empty)} to run this check on a dev server",
            ServerKind.Dev when settings.CliPath is null =>
                $"no dev server was started because {Settings.CliPathVariable} is unset; set it to a pre-installed temporal CLI to run this check",
            ServerKind.Dev =>
                $"the dev server at {Settings.CliPathVariable}={settings.CliPath} was not chosen for this block",
            ServerKind.External when !settings.ExternalConfigured =>
                "no external server is configured; set TEMPORAL_ADDRESS (or TEMPORAL_PROFILE) to evaluate a cluster or Temporal Cloud",
            ServerKind.External =>
                "the configured external server was not chosen for this block",
            _ when settings.TestServerPath is null =>
                "the time-skipping test server (SDK-downloaded) was not chosen for this block",
            _ =>
                $"the time-skipping test server at {Settings.TestServerPathVariable}={settings.TestServerPath} was not chosen for this block",
        };
    }
}
