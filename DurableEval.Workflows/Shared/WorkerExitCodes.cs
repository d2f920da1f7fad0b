namespace DurableEval.Workflows.Shared;

/// <summary>
/// How a DurableEval.Worker process ends, shared by the worker and the test that reads its exit: the test tells a
/// worker that could not start (its own configuration, a harness problem) from one that failed while it ran.
/// </summary>
public static class WorkerExitCodes
{
    /// <summary>Standard input closed or the parent process died: the test is gone.</summary>
    public const int ParentGone = 3;

    /// <summary>The command line is wrong (sysexits EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>The connection settings line is missing or unreadable (EX_DATAERR).</summary>
    public const int BadConnectionSettings = 65;

    /// <summary>The worker could not connect to the server with the settings it was given (EX_UNAVAILABLE).</summary>
    public const int CannotConnect = 69;

    /// <summary>The worker connected and then failed while it ran (EX_SOFTWARE).</summary>
    public const int FailedWhileRunning = 70;

    /// <summary>The first line a worker writes to standard error when it cannot connect, so a reader can find it.</summary>
    public const string CannotConnectPrefix = "worker cannot connect";
}
