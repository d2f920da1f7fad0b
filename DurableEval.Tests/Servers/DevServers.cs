using Temporalio.Testing;

namespace DurableEval.Tests.Servers;

/// <summary>Dev-server options in one place, including the restartable, file-backed server persistence checks need.</summary>
public static class DevServers
{
    /// <summary>
    /// The dev server a download gets: "default" is the CLI version the SDK (Temporalio 1.21.1) names as the one
    /// matching it, so a run months later does not silently evaluate a newer server. A CLI given through
    /// DURABLEEVAL_CLI_PATH is used as is; the report records the version it reports.
    /// </summary>
    public const string PinnedVersion = "default";

    /// <summary>
    /// Dynamic config every dev server gets, in one place, as the SDK's own test fixture
    /// (tests/Temporalio.Tests/WorkflowEnvironment.cs) sets it: fresh search attributes on read, multi-operation
    /// (update-with-start) and the activity APIs on.
    /// </summary>
    public static IReadOnlyList<string> DynamicConfig { get; } =
    [
        "system.forceSearchAttributesCacheRefreshOnRead=true",
        "frontend.enableExecuteMultiOperation=true",
        "frontend.enableUpdateWorkflowExecution=true",
        "frontend.activityAPIsEnabled=true",
    ];
    /// The web UI's port on the shared dev server (OB-01 reads it). Only the shared server serves a UI: a restartable
    /// one can live beside it and would collide on the port.
    /// </summary>
    public static int UiPort { get; } = FreeLoopbackPort();

    public static WorkflowEnvironmentStartLocalOptions Options(Settings settings, string? databaseFile)
    {
        var dev = new DevServerOptions
        {
            DatabaseFilename = databaseFile,
            LogLevel = "error",
            DownloadVersion = PinnedVersion,
            ExtraArgs = DynamicConfig.SelectMany(value => new[] { "--dynamic-config-value", value }).ToList(),
        };
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
