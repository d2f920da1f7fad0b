namespace DurableEval.Tests.Servers;

/// <summary>A server DurableEval can run facts on.</summary>
public enum ServerKind
{
    /// <summary>Temporal's time-skipping test server: in-memory, time advances on demand.</summary>
    TimeSkipping,

    /// <summary>The Temporal CLI dev server: full feature set, real time.</summary>
    Dev,

    /// <summary>A cluster or Temporal Cloud named by Temporal's environment configuration.</summary>
    External,
}

/// <summary>What a block of checks needs from a server.</summary>
public enum ServerNeed
{
    /// <summary>Time skipping itself (long timers in seconds of wall time).</summary>
    TimeSkipping,

    /// <summary>Features the test server lacks (visibility, schedules, namespaces, reset, versioning).</summary>
    Full,

    /// <summary>A restartable dev server with a database file (persistence across a server restart).</summary>
    RestartableDev,

    /// <summary>Whatever live server can be had; an external one when configured, so a real cluster is evaluated.</summary>
    Any,

    /// <summary>
    /// Whatever live server can be had, but a full one (external, or a provided dev server) before the
    /// time-skipping server: for blocks whose core runs anywhere and whose other checks need a full server's extras.
    /// </summary>
    PreferFull,

    /// <summary>A server that persists its state: the configured external server, else a dev server on a database file.</summary>
    Persistent,
}

public static class ServerNames
{
    public static string Of(ServerKind kind) => kind switch
    {
        ServerKind.TimeSkipping => "time-skipping test server",
        ServerKind.Dev => "dev server (Temporal CLI)",
        _ => "external server",
    };
}
