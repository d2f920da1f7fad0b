using DurableEval.Worker;
using DurableEval.Workflows.Shared;
using Temporalio.Client;
using Temporalio.Worker;

// The worker under test in the worker-kill protocol (DurableEval.Tests/Reliability): it hosts the protocol's
// workflow and journaled activities on one task queue and records every raw step execution and every idempotent
// effect in the test's SQLite journal (or, with --host ai, the model-call workflows: see HostSelection). The test
// kills it with SIGKILL; it never needs to stop gracefully.
WorkerArguments arguments;
HostSelection host;
try
{
    (host, var connection) = HostSelection.Split(args);
    arguments = WorkerArguments.Parse(connection);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"{e.Message}\n{WorkerArguments.Usage}\n{HostSelection.Usage}");
    return 64;
}

ParentWatch.Start(arguments.ParentProcessId);

using var journal = StepJournal.Open(arguments.LedgerPath);
var client = await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(arguments.Address)
{
    Namespace = arguments.Namespace,
    Identity = arguments.Identity,
});

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

using var worker = new TemporalWorker(client, options);
journal.WorkerStarted(arguments.Identity, $"pid {Environment.ProcessId}, cache {(arguments.Cache ? "on" : "off")}, queue {arguments.TaskQueue}, host {host.Host}");
Console.WriteLine($"worker {arguments.Identity} polling {arguments.TaskQueue} on {arguments.Address}");
await worker.ExecuteAsync(CancellationToken.None);
return 0;
