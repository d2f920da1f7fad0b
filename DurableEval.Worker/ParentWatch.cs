using System.Diagnostics;

namespace DurableEval.Worker;

/// <summary>
/// Ends this process when the test that started it is gone, so no worker outlives a run even when the test host
/// itself is killed: standard input reaching end-of-file (the parent held its write end) or the parent process
/// id no longer being alive, whichever is seen first.
/// </summary>
internal static class ParentWatch
{
    public static void Start(int? parentProcessId)
    {
        var stdin = new Thread(() =>
        {
            try
            {
                while (Console.In.ReadLine() is not null)
                {
                    // Lines mean nothing; only the end of the stream does.
                }
            }
            catch (IOException)
            {
                // A broken pipe is the same news as end-of-file.
            }

            Exit("standard input closed");
        })
        { IsBackground = true, Name = "parent-watch-stdin" };
        stdin.Start();

        if (parentProcessId is not { } pid)
        {
            return;
        }

        var started = StartTimeOf(pid);
        var poll = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(250);

                // The start time guards against the parent's id being reused by an unrelated process.
                if (StartTimeOf(pid) is not { } now || now != started)
                {
                    Exit($"parent process {pid} exited");
                }
            }
        })
        { IsBackground = true, Name = "parent-watch-pid" };
        poll.Start();
    }

    private static DateTime? StartTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void Exit(string why)
    {
        Console.Error.WriteLine($"worker exiting: {why}");
        Environment.Exit(DurableEval.Workflows.Shared.WorkerExitCodes.ParentGone);
    }
}
