using System.Globalization;

namespace DurableEval.Tests.Servers;

/// <summary>What the watcher last saw of one workflow run a block started.</summary>
/// <param name="Id">Workflow id.</param>
/// <param name="Running">Whether the latest run is still open.</param>
/// <param name="LastProgress">When a new history event (or a new run) was last seen.</param>
/// <param name="LastEvent">The type of the last history event, for the evidence line.</param>
/// <param name="TaskFailure">
/// An unrequested workflow-task failure that no later workflow task completed ("cause: message"), or null.
/// </param>
public sealed record RunSighting(string Id, bool Running, DateTimeOffset LastProgress, string LastEvent, string? TaskFailure);

/// <summary>
/// The pure decision of the run watcher: a block cannot progress when a run it started has a workflow task that
/// failed without being asked to (the SDK retries it forever, so waiting longer shows nothing new), or when no
/// open run has written a history event for <c>stallBound</c>.
/// </summary>
public static class RunWatch
{
    /// <summary>
    /// No history event in any open run for this long means the block is stuck: facts finish in seconds, and
    /// the longest real-time wait they contain (an activity timeout) is kept to about 2 s.
    /// </summary>
    public static readonly TimeSpan DefaultStallBound = TimeSpan.FromSeconds(30);

    // Causes the server itself produces on healthy runs (a signal arriving while a task completes, a sticky
    // queue reset): the SDK recovers from them on the next task.
    private static readonly HashSet<string> BenignCauses = new(StringComparer.Ordinal)
    {
        "UnhandledCommand", "ResetStickyTaskQueue", "ResetWorkflow", "ForceCloseCommand", "FailoverCloseCommand",
    };

    public static bool IsBenignCause(string cause) => BenignCauses.Contains(cause);

    /// <summary>Null while the block can progress; otherwise the one-line reason it cannot.</summary>
    public static string? Decide(IReadOnlyList<RunSighting> runs, DateTimeOffset now, TimeSpan stallBound)
    {
        var failed = runs.FirstOrDefault(r => r.Running && r.TaskFailure is not null);
        if (failed is not null)
        {
            return $"workflow {failed.Id}: its workflow task failed and was not asked to ({failed.TaskFailure})";
        }

        var open = runs.Where(r => r.Running).ToList();
        if (open.Count == 0 || open.Any(r => now - r.LastProgress < stallBound))
        {
            return null;
        }

        var seconds = stallBound.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        var stuck = string.Join(", ", open.Select(r => $"{r.Id} (last event {r.LastEvent})"));
        return $"no new history event for {seconds} s in any open run: {stuck}";
    }
}
