using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Evidence;
using Xunit;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// Azure Storage for the Durable Task crash facts, shared by the Criteria collection and acquired lazily: nothing
/// happens until a fact asks. By default it installs Azurite (the Azure Storage emulator, npm package
/// <see cref="AzuriteVersion"/>) with npm into a cache folder on first use, as the Temporal SDK downloads its
/// server, then starts it on loopback with free ports and its data in a temporary directory, and stops it (the
/// whole process tree) and deletes that directory at the end. <see cref="Settings.AzuritePathVariable"/> names an
/// azurite the user provides; <see cref="Settings.AzureStorageConnectionStringVariable"/> an existing account or
/// emulator, used as is. Without npm the facts record their checks "not run" with the reason and the fix; a
/// configured variable that cannot be used is a configuration error.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The Azurite release installed from npm (pinned: its API versions and behaviour are what the facts measured).</summary>
    public const string AzuriteVersion = "3.37.0";

    /// <summary>Azurite's well-known development account (public, documented in Azurite's README).</summary>
    private const string DevAccount = "devstoreaccount1";
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan InstallBound = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private Task<StorageAcquisition>? acquisition;
    private Process? process;
    private string? dataDirectory;
    private string? executablePath;
    private int uses;

    /// <summary>Azure Storage for a fact, or why there is none; installs and starts Azurite on the first call only.</summary>
    public async Task<StorageAcquisition> AcquireAsync(Action<string> log)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            acquisition ??= AcquireOnceAsync(log);
        }
        finally
        {
            gate.Release();
        }

        return await acquisition.ConfigureAwait(false);
    }

    /// <summary>True for the first fact that asks: it reports the install and start times, which belong to the run.</summary>
    public bool ClaimFirstUse() => Interlocked.Increment(ref uses) == 1;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (process is not null)
        {
            Stop(process);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Left for the ps check of whoever runs this; nothing more can be done from here.
            }

            process.Dispose();
        }

        if (dataDirectory is not null && Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        gate.Dispose();
    }

    /// <summary>The cache folder Azurite installs into: $XDG_CACHE_HOME or ~/.cache, then durableeval/azurite/VERSION.</summary>
    public static string CacheDirectory(IReadOnlyDictionary<string, string> environment)
    {
        var root = environment.TryGetValue("XDG_CACHE_HOME", out var xdg) && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "durableeval", "azurite", AzuriteVersion);
    }

    private async Task<StorageAcquisition> AcquireOnceAsync(Action<string> log)
    {
        var environment = Settings.Current.Environment;
        string? Get(string name) => environment.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        if (Get(Settings.AzureStorageConnectionStringVariable) is { } configured)
        {
            return await ConfiguredAccountAsync(configured).ConfigureAwait(false);
        }

        string executable;
        double? installSeconds = null;
        if (Get(Settings.AzuritePathVariable) is { } path)
        {
            if (AzureStorageConfiguration.PathProblem(path) is { } problem)
            {
                return StorageAcquisition.Misconfigured(problem);
            }

            executable = path;
        }
        else
        {
            var cache = CacheDirectory(environment);
            executable = Path.Combine(cache, "node_modules", ".bin", "azurite");
            if (!File.Exists(executable))
            {
                var clock = Stopwatch.StartNew();
                var failure = await InstallAsync(cache, log).ConfigureAwait(false);
                if (failure is not null)
                {
                    return StorageAcquisition.Missing(failure);
                }

                installSeconds = clock.Elapsed.TotalSeconds;
                log($"azurite {AzuriteVersion} installed with npm into {cache} in {installSeconds.Value.ToString("0.0", CultureInfo.InvariantCulture)} s");
            }
        }

        executablePath = executable;
        var started = await StartAsync(executable, log).ConfigureAwait(false);
        if (started.Storage is { } storage)
        {
            return started with { Storage = storage with { InstallSeconds = installSeconds } };
        }

        // An azurite the user named that will not start is theirs to fix; ours failing is a missing prerequisite.
        return Get(Settings.AzuritePathVariable) is not null ? started with { IsMisconfigured = true } : started;
    }

    private static async Task<StorageAcquisition> ConfiguredAccountAsync(string connectionString)
    {
        var variable = Settings.AzureStorageConnectionStringVariable;
        if (AzureStorageConfiguration.ConnectionStringProblem(connectionString) is { } problem)
        {
            return StorageAcquisition.Misconfigured(problem);
        }

        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await new Azure.Storage.Queues.QueueServiceClient(connectionString).GetPropertiesAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException or HttpRequestException or AggregateException or InvalidOperationException)
        {
            return StorageAcquisition.Misconfigured($"{variable} is set but its queue service did not answer ({e.GetType().Name}: {Clip(e.Message.ReplaceLineEndings(" "))}); point it at a reachable storage account or emulator, or unset it to use Azurite from npm");
        }

        return StorageAcquisition.Ready(new StorageEndpoint(connectionString, "Azure Storage account (configured)", "configured", null, null));
    }

    /// <summary>npm install into a fresh folder beside the cache, moved into place only when complete; null or why not.</summary>
    private static async Task<string?> InstallAsync(string cache, Action<string> log)
    {
        var fix = $"install Node.js 18+ with npm, or set {Settings.AzuritePathVariable} to an azurite executable, or {Settings.AzureStorageConnectionStringVariable} to a storage account";
        var npm = OnPath("npm");
        if (npm is null || OnPath("node") is null)
        {
            return $"{(npm is null ? "npm" : "node")} was not found on PATH: the Durable Task crash facts run on Azurite, the Azure Storage emulator, installed from npm on first use; {fix}";
        }

        var partial = $"{cache}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(partial);
        log($"installing azurite {AzuriteVersion} with npm into {cache} (first use)");
        var info = new ProcessStartInfo(npm)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "install", "--prefix", partial, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", $"azurite@{AzuriteVersion}" })
        {
            info.ArgumentList.Add(argument);
        }

        using var install = Process.Start(info) ?? throw new InvalidOperationException("npm did not start");
        var stderr = install.StandardError.ReadToEndAsync();
        var stdout = install.StandardOutput.ReadToEndAsync();
        using var bound = new CancellationTokenSource(InstallBound);
        try
        {
            await install.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Stop(install);
            TryDelete(partial);
            return $"npm install azurite@{AzuriteVersion} did not finish within {InstallBound.TotalMinutes:0} minutes; check the npm registry is reachable, or {fix}";
        }

        await Task.WhenAll(stderr, stdout).ConfigureAwait(false);
        if (install.ExitCode != 0 || !File.Exists(Path.Combine(partial, "node_modules", ".bin", "azurite")))
        {
            TryDelete(partial);
            var said = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Length > 0) ?? "no message";
            return $"npm install azurite@{AzuriteVersion} failed with exit code {install.ExitCode} ({Clip(said)}); {fix}";
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            Directory.Move(partial, cache);
        }
        catch (IOException) when (Directory.Exists(cache))
        {
            // Another run installed it first: theirs is as good.
            TryDelete(partial);
        }

        return null;
    }

    private async Task<StorageAcquisition> StartAsync(string executable, Action<string> log)
    {
        dataDirectory = Path.Combine(Path.GetTempPath(), $"durableeval-azurite-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var launched = await LaunchAsync(executable, dataDirectory, log).ConfigureAwait(false);
        process = launched.Process;
        return launched.Failure is { } failure
            ? StorageAcquisition.Missing(failure)
            : StorageAcquisition.Ready(new StorageEndpoint(launched.ConnectionString!, $"Azurite {AzuriteVersion}", executable, null, launched.Seconds));
    }

    /// <summary>
    /// A second Azurite of its own on <paramref name="dataDirectory"/>, for a fact that stops and restarts its storage (OP-03);
    /// null with why when this run has no Azurite executable (a configured account cannot be restarted from here).
    /// </summary>
    public async Task<(AzuriteInstance? Instance, string? Failure)> StartDedicatedAsync(string dataDirectory, Action<string> log)
    {
        if (executablePath is null)
        {
            return (null, $"this run uses a configured storage account ({Settings.AzureStorageConnectionStringVariable}), not an Azurite it can stop and restart");
        }

        var launched = await LaunchAsync(executablePath, dataDirectory, log).ConfigureAwait(false);
        return launched.Failure is { } failure ? (null, failure) : (new AzuriteInstance(launched.Process!, launched.ConnectionString!, launched.Seconds), null);
    }

    private static async Task<(Process? Process, string? ConnectionString, double Seconds, string? Failure)> LaunchAsync(string executable, string dataDirectory, Action<string> log)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
            "--location", dataDirectory, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
        })
        {
            info.ArgumentList.Add(argument);
        }

        // Port 0: Azurite binds free ports and prints them ("... service is successfully listening at http://127.0.0.1:PORT").
        var ports = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => Listening(e.Data, ports, lines, ready);
            process.ErrorDataReceived += (_, e) => Listening(e.Data, ports, lines, ready);
            process.Exited += (_, _) => ready.TrySetResult();
            process.Start();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, null, 0, $"azurite at {executable} could not be started ({e.Message}); it needs node on PATH: install Node.js 18+, or set {Settings.AzureStorageConnectionStringVariable}");
        }

        await Task.WhenAny(ready.Task, Task.Delay(StartBound)).ConfigureAwait(false);
        if (!ports.ContainsKey("Blob") || !ports.ContainsKey("Queue") || !ports.ContainsKey("Table"))
        {
            var why = process.HasExited ? $"exited with code {process.ExitCode}" : $"did not listen within {StartBound.TotalSeconds:0} s";
            Stop(process);
            return (null, null, 0, $"azurite {why}; its output: {Clip(string.Join(" | ", lines.Take(5)))}; set {Settings.AzureStorageConnectionStringVariable} to use another emulator or account");
        }

        var connection = string.Create(
            CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName={DevAccount};AccountKey={DevKey};BlobEndpoint=http://127.0.0.1:{ports["Blob"]}/{DevAccount};QueueEndpoint=http://127.0.0.1:{ports["Queue"]}/{DevAccount};TableEndpoint=http://127.0.0.1:{ports["Table"]}/{DevAccount};");

        // Listening is not answering: one request, bounded, before any fact relies on it.
        try
        {
            using var bound = new CancellationTokenSource(StartBound - clock.Elapsed > TimeSpan.FromSeconds(5) ? StartBound - clock.Elapsed : TimeSpan.FromSeconds(5));
            await new Azure.Storage.Queues.QueueServiceClient(connection).GetPropertiesAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            Stop(process);
            return (null, null, 0, $"azurite listened but its queue service did not answer ({e.GetType().Name}: {Clip(e.Message.ReplaceLineEndings(" "))})");
        }

        var startSeconds = clock.Elapsed.TotalSeconds;
        log($"azurite {AzuriteVersion} (pid {process.Id}) answering on blob {ports["Blob"]}, queue {ports["Queue"]}, table {ports["Table"]} after {startSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s; data in {dataDirectory}");
        return (process, connection, startSeconds, null);
    }

    private static void Listening(string? line, System.Collections.Concurrent.ConcurrentDictionary<string, int> ports, System.Collections.Concurrent.ConcurrentQueue<string> lines, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        var match = System.Text.RegularExpressions.Regex.Match(line, @"Azurite (Blob|Queue|Table) service is successfully listening at http://[^:]+:(\d+)");
        if (match.Success)
        {
            ports[match.Groups[1].Value] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (ports.Count == 3)
            {
                ready.TrySetResult();
            }
        }
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    private static string Clip(string text) => text.Length <= 200 ? text : text[..197] + "...";

    internal static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Storage a fact can use: the connection string (it carries the account key: never printed), what it is, where
/// it came from, and how long Azurite took to install (only on the call that installed it) and start (null when the
/// user configured an account).
/// </summary>
public sealed record StorageEndpoint(string ConnectionString, string Kind, string Source, double? InstallSeconds, double? StartSeconds);

/// <summary>The fixture's answer: storage, or why not, and whether that is the user's configuration to fix.</summary>
public sealed record StorageAcquisition(StorageEndpoint? Storage, string? Reason, bool IsMisconfigured)
{
    public static StorageAcquisition Ready(StorageEndpoint storage) => new(storage, null, false);

    public static StorageAcquisition Missing(string reason) => new(null, reason, false);

    public static StorageAcquisition Misconfigured(string reason) => new(null, reason, true);
}

/// <summary>An Azurite a fact started for itself (<see cref="AzuriteFixture.StartDedicatedAsync"/>): stopping it kills its process tree and keeps its data directory.</summary>
public sealed class AzuriteInstance(Process process, string connectionString, double startSeconds) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public double StartSeconds { get; } = startSeconds;

    /// <summary>
    /// Stops Azurite the way a storage service restart does: SIGINT, on which it closes its services and saves its
    /// data files, bounded, then the process tree killed if it is still there. Returns how it ended. A SIGKILL instead
    /// can lose Azurite's last writes (its metadata is saved on an interval), which measures the emulator, not Durable Task.
    /// </summary>
    public async Task<string> StopGracefullyAsync()
    {
        if (!OperatingSystem.IsWindows() && !process.HasExited)
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (signal is not null)
            {
                await signal.WaitForExitAsync().ConfigureAwait(false);
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
                return "stopped on SIGINT";
            }
            catch (OperationCanceledException)
            {
            }
        }

        await DisposeAsync().ConfigureAwait(false);
        return "killed (it did not stop on SIGINT within 15 s)";
    }

    public async ValueTask DisposeAsync()
    {
        AzuriteFixture.Stop(process);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Left for the ps check of whoever runs this.
        }

        process.Dispose();
    }
}
