using Temporalio.Testing;

namespace DurableEval.Tests.Servers;

/// <summary>Dev-server options in one place, including the restartable, file-backed server persistence checks need.</summary>
public static class DevServers
{
    /// <summary>
    /// The web UI's port on the shared dev server (OB-01 reads it). Only the shared server serves a UI: a restartable
    /// one can live beside it and would collide on the port.
    /// </summary>
    public static int UiPort { get; } = FreeLoopbackPort();

    public static WorkflowEnvironmentStartLocalOptions Options(Settings settings, string? databaseFile)
    {
        var dev = new DevServerOptions { DatabaseFilename = databaseFile, LogLevel = "error" };
        if (settings.CliPath is { } path)
        {
            ExecutablePath.Require(path, Settings.CliPathVariable, "the temporal CLI");
            dev.ExistingPath = path;
        }

        return new WorkflowEnvironmentStartLocalOptions { DevServerOptions = dev, UI = databaseFile is null, UIPort = UiPort };
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts a dev server on a database file; call again with the same file to "restart" it. Needs the CLI:
    /// either provided through DURABLEEVAL_CLI_PATH or downloaded by the SDK.
    /// </summary>
    public static Task<WorkflowEnvironment> StartWithDatabaseAsync(Settings settings, string databaseFile) =>
        Bounded.StartAsync(() => WorkflowEnvironment.StartLocalAsync(Options(settings, databaseFile)), settings.ServerStartTimeout);
}
