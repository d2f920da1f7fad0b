using Temporalio.Testing;

namespace DurableEval.Tests.Servers;

/// <summary>Dev-server options in one place, including the restartable, file-backed server persistence checks need.</summary>
public static class DevServers
{
    public static WorkflowEnvironmentStartLocalOptions Options(Settings settings, string? databaseFile)
    {
        var dev = new DevServerOptions { DatabaseFilename = databaseFile, LogLevel = "error" };
        if (settings.CliPath is { } path)
        {
            ExecutablePath.Require(path, Settings.CliPathVariable, "the temporal CLI");
            dev.ExistingPath = path;
        }

        return new WorkflowEnvironmentStartLocalOptions { DevServerOptions = dev, UI = false };
    }

    /// <summary>
    /// Starts a dev server on a database file; call again with the same file to "restart" it. Needs the CLI:
    /// either provided through DURABLEEVAL_CLI_PATH or downloaded by the SDK.
    /// </summary>
    public static Task<WorkflowEnvironment> StartWithDatabaseAsync(Settings settings, string databaseFile) =>
        Bounded.StartAsync(() => WorkflowEnvironment.StartLocalAsync(Options(settings, databaseFile)), settings.ServerStartTimeout);
}
