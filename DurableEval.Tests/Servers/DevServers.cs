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
    /// (tests/Temporalio.Tests/WorkflowEnvironment.cs, InitializeAsync) sets it: fresh search attributes on read,
    /// the worker-versioning data and workflow APIs, the build-id scavenger and deployment versions (VR-01, VR-03
    /// pin and route runs by worker deployment version), multi-operation (update-with-start) and the activity
    /// APIs. Update is on by default in current CLIs; the flag keeps older ones in line.
    /// </summary>
    public static IReadOnlyList<string> DynamicConfig { get; } =
    [
        "system.forceSearchAttributesCacheRefreshOnRead=true",
        "frontend.workerVersioningDataAPIs=true",
        "frontend.workerVersioningWorkflowAPIs=true",
        "worker.buildIdScavengerEnabled=true",
        "frontend.enableExecuteMultiOperation=true",
        "system.enableDeploymentVersions=true",
        "frontend.enableUpdateWorkflowExecution=true",
        "frontend.activityAPIsEnabled=true",
    ];

    /// <summary>
    /// Options for one dev server. Only a server given a <paramref name="uiPort"/> serves the web UI, on that port;
    /// every other one is headless. The CLI exits when its UI cannot bind, so two servers sharing a UI port would
    /// make the second fail to start: each UI gets a port of its own (<see cref="FreeLoopbackPort"/>) and only the
    /// shared dev server asks for one.
    /// </summary>
    public static WorkflowEnvironmentStartLocalOptions Options(Settings settings, string? databaseFile, int? uiPort = null)
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

        var options = new WorkflowEnvironmentStartLocalOptions { DevServerOptions = dev, UI = uiPort is not null };
        if (uiPort is { } port)
        {
            options.UIPort = port;
        }

        return options;
    }

    /// <summary>A loopback port free right now, for a UI that DurableEval then starts on it.</summary>
    public static int FreeLoopbackPort()
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
