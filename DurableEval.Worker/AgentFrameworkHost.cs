using System.ClientModel;
using System.ClientModel.Primitives;
using DurableEval.Workflows.AgentFramework;
using DurableEval.Workflows.Shared;
using Microsoft.Extensions.AI;
using OpenAI;

namespace DurableEval.Worker;

/// <summary>
/// --host agentframework: runs Agent Framework step chains in this process, checkpointed to a folder, writing each
/// raw step execution to the journal. Each session resumes from its latest checkpoint when it has one (the worker
/// that ran it before was killed), or starts. A session whose result is already in the journal is not run again:
/// deciding what to resume after a restart is the application's job, and this is that application. The result of
/// each run is written to the journal (there is no server to hold it); the process exits once every run finished.
/// </summary>
internal static class AgentFrameworkHost
{
    public static async Task<int> RunAsync(WorkerArguments arguments)
    {
        AgentFrameworkWorkerSettings settings;
        try
        {
            settings = AgentFrameworkWorkerSettings.Parse(Console.In.ReadLine());
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"worker {arguments.Identity}: {e.Message}");
            return WorkerExitCodes.BadConnectionSettings;
        }

        ParentWatch.Start(arguments.ParentProcessId);
        using var journal = StepJournal.Open(arguments.LedgerPath);
        var finished = journal.ReadAll()
            .Where(r => r.Kind == JournalKind.Result && r.WorkflowId is not null)
            .Select(r => r.WorkflowId!)
            .ToHashSet(StringComparer.Ordinal);
        var recorder = new StepJournalRecorder(journal, arguments.Identity, settings.WorkMilliseconds);

        // Announced before any store is opened: a store that cannot be loaded is the framework failing while it
        // runs, not a worker that never came up.
        journal.WorkerStarted(arguments.Identity, $"pid {Environment.ProcessId}, host agentframework, {settings.Sessions.Count - finished.Count} of {settings.Sessions.Count} runs to drive");
        Console.WriteLine($"worker {arguments.Identity} driving {settings.Sessions.Count} runs checkpointed under {settings.CheckpointFolder}");
        try
        {
            await Task.WhenAll(settings.Sessions.Where(s => !finished.Contains(s.Id)).Select(session => Task.Run(async () =>
            {
                // One store per run: FileSystemJsonCheckpointStore is documented as not thread-safe and process-exclusive,
                // and concurrent runs sharing one interleave their index lines (the store then no longer loads).
                var (manager, store) = CheckpointedRuns.InFolder(settings.FolderOf(session));
                using (store)
                {
                    // Each run gets its own workflow instance: executors are bound per workflow.
                    var (run, from) = settings.ModelEndpoint is { } endpoint
                        ? await CheckpointedRuns.StartOrResumeAsync(ModelCallWorkflow.Build(ChatClient(endpoint, settings.ModelApiKey), new ExecutorCounter()), manager, session.Id, session.Id, CancellationToken.None)
                        : await CheckpointedRuns.StartOrResumeAsync(StepChainWorkflow.Build(settings.Steps, recorder), manager, session.Id, StepChainWorkflow.Start(session.Id, session.Index), CancellationToken.None);
                    await using (run)
                    {
                        var end = await CheckpointedRuns.WatchAsync(run, onRequest: null, CancellationToken.None);
                        var how = from is null ? "started" : $"resumed from checkpoint {from.CheckpointId}";
                        if (end.Output is null)
                        {
                            throw new InvalidOperationException($"run {session.Id} ({how}) ended without output: {end.Error ?? "its stream ended"}");
                        }

                        journal.ResultReceived(session.Id, end.Output);
                    }
                }
            })));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"worker {arguments.Identity} failed while running: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}{(e.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")})" : string.Empty)}");
            return WorkerExitCodes.FailedWhileRunning;
        }

        return 0;
    }

    /// <summary>The real OpenAI chat client, its own retries off as in the facts, so the endpoint's request count is exact.</summary>
    private static IChatClient ChatClient(string endpoint, string? key) =>
        new OpenAI.Chat.ChatClient(
            "scripted-model",
            new ApiKeyCredential(key ?? "none"),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(endpoint),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = TimeSpan.FromSeconds(30),
            }).AsIChatClient();
}
