using System.Collections.Concurrent;
using System.Diagnostics;

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

    private WorkerProcess(string identity, Process process)
    {
        Identity = identity;
        this.process = process;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public string Identity { get; }

    public int ProcessId => process.Id;

    public DateTimeOffset StartedAt { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the worker wrote (stdout and stderr), for diagnostics.</summary>
    public IReadOnlyList<string> RecentOutput => output.ToArray();

    public static WorkerProcess Start(WorkerLaunch launch)
    {
        var (fileName, prefix) = WorkerExecutable.Launcher();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Concat(launch.Arguments(Environment.ProcessId)))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in launch.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(launch.Identity, process);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL of the worker and anything it started; returns once the process is gone.</summary>
    public async Task KillAsync(CancellationToken cancellation)
    {
        TryKill(process);
        await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        Live.TryRemove(process.Id, out _);
    }

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

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        // Core logs with terminal colours; the escapes mean nothing in a diagnostic dump.
        output.Enqueue(System.Text.RegularExpressions.Regex.Replace(line, "\u001b\\[[0-9;]*m", string.Empty));
        while (output.Count > 50 && output.TryDequeue(out _))
        {
        }
    }
}

/// <summary>
/// What a worker process is told: where to connect, what to poll, where the journal is, and who it is; optionally
/// what it hosts (<see cref="Host"/>, e.g. "--host ai --model-endpoint URL") and environment variables for what must
/// not appear on a command line (a key).
/// </summary>
public sealed record WorkerLaunch(
    string Address,
    string Namespace,
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
        "--address", Address,
        "--namespace", Namespace,
        "--task-queue", TaskQueue,
        "--ledger", LedgerPath,
        "--cache", Cache ? "on" : "off",
        "--identity", Identity,
        "--parent-pid", parentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}
