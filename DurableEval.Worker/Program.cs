using DurableEval.Worker;
using DurableEval.Workflows.Shared;
using Temporalio.Client;
using Temporalio.Worker;

// The worker under test in the worker-kill protocol (DurableEval.Tests/Reliability): it hosts the protocol's
// workflow and journaled activities on one task queue and records every raw step execution and every idempotent
// effect in the test's SQLite journal (or, with --host ai, the model-call workflows: see HostSelection). The test
// kills it with SIGKILL; it never needs to stop gracefully. Every way it can end on its own is one line on standard
// error and an exit code the test reads (WorkerExitCodes).
WorkerArguments arguments;
HostSelection host;
try
{
    (host, var rest) = HostSelection.Split(args);
    arguments = WorkerArguments.Parse(rest);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"{e.Message}\n{WorkerArguments.Usage}\n{HostSelection.Usage}");
    return WorkerExitCodes.Usage;
}

if (host.Host == HostSelection.AgentFramework)
{
    return await AgentFrameworkHost.RunAsync(arguments);
}

// Durable Task reads an Azure Storage connection instead of Temporal's, and runs its own worker.
if (host.Host == HostSelection.DurableTask)
{
    return await DurableTaskHost.RunAsync(arguments);
}

// The connection (with its secrets) is the first line of standard input; the rest of the stream stays open as the
// parent-liveness signal that ParentWatch reads from here on.
WorkerConnection connection;
try
{
    connection = WorkerConnection.Parse(Console.In.ReadLine());
}
catch (FormatException e)
{
    Console.Error.WriteLine($"worker {arguments.Identity}: {e.Message}");
    return WorkerExitCodes.BadConnectionSettings;
}

ParentWatch.Start(arguments.ParentProcessId);

TemporalClient client;
try
{
    client = await TemporalClient.ConnectAsync(connection.ToConnectOptions(arguments.Identity));
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    // One line: what failed, with what settings (no secret values), and the SDK's reason.
    Console.Error.WriteLine(connection.Redact(
        $"{WorkerExitCodes.CannotConnectPrefix} to {connection.Describe()}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
    return WorkerExitCodes.CannotConnect;
}

using var journal = StepJournal.Open(arguments.LedgerPath);
var options = new TemporalWorkerOptions(arguments.TaskQueue)
{
    Identity = arguments.Identity,

    // Cache off: every workflow task replays from history and no sticky queue is used, which the time-skipping
    // server needs (it never moves a dead worker's sticky queue back to the normal queue). Cache on: the
    // production shape, whose recovery depends on the server's sticky-queue fallback, kept short here.
    MaxCachedWorkflows = arguments.Cache ? new TemporalWorkerOptions().MaxCachedWorkflows : 0,
    StickyQueueScheduleToStartTimeout = TimeSpan.FromSeconds(2),
};
host.Register(options, journal, arguments.Identity);

try
{
    using var worker = new TemporalWorker(client, options);
    journal.WorkerStarted(arguments.Identity, $"pid {Environment.ProcessId}, cache {(arguments.Cache ? "on" : "off")}, queue {arguments.TaskQueue}, host {host.Host}");
    Console.WriteLine($"worker {arguments.Identity} polling {arguments.TaskQueue} on {connection.Describe()}");
    await worker.ExecuteAsync(CancellationToken.None);
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine(connection.Redact($"worker {arguments.Identity} failed while running: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
    return WorkerExitCodes.FailedWhileRunning;
}

return 0;
