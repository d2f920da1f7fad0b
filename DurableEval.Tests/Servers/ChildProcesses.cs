using System.Globalization;

namespace DurableEval.Tests.Servers;

/// <summary>
/// Counts the processes descended from this one (Linux /proc): servers and workers this run started and has not
/// yet stopped. Other users' processes on a shared machine are not counted.
/// </summary>
public static class ChildProcesses
{
    public static int Count()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, ...
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended while being read.
            }
        }

        var self = Environment.ProcessId;
        return parents.Keys.Count(pid =>
        {
            for (var p = parents.GetValueOrDefault(pid); p > 1; p = parents.GetValueOrDefault(p))
            {
                if (p == self)
                {
                    return true;
                }
            }

            return false;
        });
    }
}
