using System.Globalization;

namespace DurableEval.Tests.Evidence;

/// <summary>
/// Judges when a workflow woke from a durable timer: the workflow time it read after the timer (Workflow.UtcNow)
/// minus the time it read before, against the timer's duration. A timer may never fire early, and it may fire
/// late only by the milliseconds a workflow task takes to be dispatched, so a clock that skips past its target
/// (a minute, an hour) is caught even though "at least the duration passed" still holds.
/// </summary>
public static class TimerWake
{
    /// <summary>
    /// Allowed lateness. A workflow task on a loaded 2-core machine is dispatched well within a second; five
    /// seconds leave room for that and still fail a one-minute overshoot by a factor of twelve.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(5);

    /// <summary>True when the wake-up is no earlier than the timer and at most <see cref="Tolerance"/> after it.</summary>
    public static bool OnTime(TimeSpan waited, TimeSpan timer) => waited >= timer && waited - timer <= Tolerance;

    /// <summary>The evidence phrase: how far the wake-up was from start + timer, in the unit that reads best.</summary>
    public static string Describe(TimeSpan waited, TimeSpan timer)
    {
        var off = waited - timer;
        var sign = off < TimeSpan.Zero ? "-" : "+";
        var magnitude = off.Duration();
        var amount = magnitude < TimeSpan.FromMinutes(1)
            ? magnitude.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms"
            : magnitude.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture) + " min";
        return $"woke at start + timer {sign}{amount} (tolerance +{Tolerance.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s)";
    }
}
