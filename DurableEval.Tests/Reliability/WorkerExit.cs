using System.Globalization;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// A worker process of the kill protocol that ended without being killed, or never started polling: who, its exit
/// code (null while it still runs), whether it had announced itself in the journal, and the first lines of its
/// standard error (where it says why, secrets already redacted).
/// </summary>
public sealed record WorkerExit(string Worker, int? ExitCode, bool CameUp, IReadOnlyList<string> ErrorLines)
{
    /// <summary>
    /// The worker could not start: it never polled, or ended with a code that means its command line, its
    /// connection settings or its parent were wrong. The test's own client had already reached the server with the
    /// same settings (it started the workflows), so this is the harness or its configuration, not the platform.
    /// </summary>
    public bool IsHarnessProblem =>
        !CameUp || ExitCode is WorkerExitCodes.Usage or WorkerExitCodes.BadConnectionSettings or WorkerExitCodes.CannotConnect or WorkerExitCodes.ParentGone;

    public string Describe()
    {
        var how = ExitCode is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"{Worker} exited on its own with code {code} {(CameUp ? "after it started polling" : "before it started polling")}")
            : $"{Worker} was still not polling when the run gave up on it";

        // The first lines say why; the SDK's own reason can end in a long dump of response headers.
        var said = ErrorLines.Count == 0
            ? "it wrote nothing to standard error"
            : $"its standard error: \"{string.Join(" | ", ErrorLines.Take(3).Select(l => l.Length <= 300 ? l : l[..297] + "..."))}\"";
        return $"{how}; {said}";
    }

    /// <summary>
    /// What the oracles conclude from a run that this exit ended: not evaluated when the harness could not start
    /// its worker (never "vacuous": the kill schedule was not the cause), and a failed all-complete when the worker
    /// under test died by itself while running, with the other oracles not evaluated on the cut-short run.
    /// </summary>
    public (OracleVerdict AllComplete, OracleVerdict Others) Verdicts()
    {
        if (IsHarnessProblem)
        {
            var notRun = OracleVerdict.NotRun(
                $"not evaluated: {Describe()}; the test's own client reached the server with the same connection settings, so the harness or its configuration is at fault, not the platform");
            return (notRun, notRun);
        }

        return (
            OracleVerdict.Of(false, $"{Describe()}; the worker under test died without being killed and the run ended there"),
            OracleVerdict.NotRun($"not evaluated: the run ended early because {Worker} exited on its own (see all-complete)"));
    }
}
