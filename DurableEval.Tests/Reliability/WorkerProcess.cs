using System.Collections.Concurrent;
using System.Diagnostics;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// One DurableEval.Worker process. Killing it is SIGKILL of the whole process tree, never a graceful stop. Every
/// process started here is also killed when the test host exits, and the worker itself exits when its standard
/// input (held open here) closes or this process dies, so none outlives the run.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    static WorkerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Values)
            {
                TryKill(process);
            }
        };
    }

    private readonly ConcurrentQueue<string> firstErrors = new();
    private readonly IWorkerConnection connection;
    private volatile bool killed;

    private WorkerProcess(string identity, Process process, IWorkerConnection connection)
    {
        Identity = identity;
        this.process = process;
        this.connection = connection;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string Identity { get; }

    public int ProcessId => process.Id;

    public DateTimeOffset StartedAt { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The worker ended without being killed here: it could not start, or it failed while it ran.</summary>
    public bool ExitedOnItsOwn => !killed && process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <summary>The first lines the worker wrote to standard error (where it explains why it stopped), secrets redacted.</summary>
    public IReadOnlyList<string> FirstErrorLines => firstErrors.ToArray();

    /// <summary>The last lines the worker wrote (stdout and stderr), for diagnostics.</summary>
    public IReadOnlyList<string> RecentOutput => output.ToArray();

    public static WorkerProcess Start(WorkerLaunch launch)
    {
        var process = new Process { StartInfo = StartInfo(launch, Environment.ProcessId), EnableRaisingEvents = true };
        var worker = new WorkerProcess(launch.Identity, process, launch.Connection);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data, error: true);
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // The connection first, as one line; the stream then stays open (the worker's parent-liveness signal).
        // A worker that died at once makes the write fail: its exit is what the protocol reports, not the write.
        try
        {
            process.StandardInput.WriteLine(launch.StandardInputLine());
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
        }

        return worker;
    }

    /// <summary>
    /// How a worker is started: the launcher, the arguments (no secret among them) and an environment without
    /// Temporal's variables, so the key and TLS paths reach the worker only through its standard input.
    /// </summary>
    internal static ProcessStartInfo StartInfo(WorkerLaunch launch, int parentProcessId)
    {
        var (fileName, prefix) = WorkerExecutable.Launcher();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Concat(launch.Arguments(parentProcessId)))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TEMPORAL_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in launch.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>SIGKILL of the worker and anything it started; returns once the process is gone.</summary>
    public async Task KillAsync(CancellationToken cancellation)
    {
        killed = true;
        TryKill(process);
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        Live.TryRemove(process.Id, out _);
    }

    /// <summary>Once the process has exited, waits until everything it wrote has been read.</summary>
    public Task WaitForOutputAsync(CancellationToken cancellation) => process.WaitForExitAsync(cancellation);

    public string Describe() =>
        process.HasExited
            ? $"{Identity} (pid {process.Id}) exited with {process.ExitCode}; last output: {string.Join(" | ", RecentOutput.TakeLast(5))}"
            : $"{Identity} (pid {process.Id}) running since {StartedAt:HH:mm:ss.fff}; last output: {string.Join(" | ", RecentOutput.TakeLast(3))}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await KillAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Reported by the ps check of whoever runs this; nothing more can be done from here.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static void TryKill(Process process)
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
            // Already exited between the check and the kill.
        }
    }

    private void Keep(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        // Core logs with terminal colours; the escapes mean nothing in a diagnostic dump. The worker never prints a
        // secret, and what the SDK prints is redacted here too before anyone can quote it.
        line = System.Text.RegularExpressions.Regex.Replace(line, "\u001b\\[[0-9;]*m", string.Empty);
        line = connection.Redact(line);
        if (error && firstErrors.Count < 5)
        {
            firstErrors.Enqueue(line);
        }

        output.Enqueue(line);
        while (output.Count > 50 && output.TryDequeue(out _))
        {
        }
    }
}

/// <summary>
/// What a worker process is told: what to poll, where the journal is, and who it is (its arguments), and how to
/// connect (<see cref="Connection"/>, secrets included), which goes to its standard input and never its arguments;
/// optionally what it hosts (<see cref="Host"/>, e.g. "--host ai --model-endpoint URL" or "--host durabletask", whose
/// connection is an Azure Storage one rather than Temporal's <see cref="WorkerConnection"/>) and environment variables for
/// what must not appear on a command line (the model endpoint's key). Agent Framework's worker connects to no server:
/// its <see cref="Connection"/> is the runs it drives and where their checkpoints are.
/// </summary>
public sealed record WorkerLaunch(
    IWorkerConnection Connection,
    string TaskQueue,
    string LedgerPath,
    bool Cache,
    string Identity,
    IReadOnlyList<string>? Host = null,
    IReadOnlyDictionary<string, string>? Environment = null)
{
    public IReadOnlyList<string> Arguments(int parentProcessId) =>
    [
        .. Host ?? [],
        "--task-queue", TaskQueue,
        "--ledger", LedgerPath,
        "--cache", Cache ? "on" : "off",
        "--identity", Identity,
        "--parent-pid", parentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    /// <summary>The first line written to the worker's standard input (a method: a record prints its properties).</summary>
    public string StandardInputLine() => Connection.ToJsonLine();
}
