using DurableEval.Workflows.DurableTask.AzureStorage;
using DurableEval.Workflows.Shared;
using DurableTask.AzureStorage;
using DurableTask.Core;

namespace DurableEval.Worker;

/// <summary>
/// --host durabletask: a TaskHubWorker on the Azure Storage provider running the journaled steps orchestration, so
/// the same kill protocol, journal and oracles judge the Durable Task Framework. --task-queue names the task hub
/// (the test created it); the connection string is the first line of standard input. It ends as the Temporal host
/// does: killed by the test, or with one line on standard error and an exit code (WorkerExitCodes).
/// </summary>
internal static class DurableTaskHost
{
    public static async Task<int> RunAsync(WorkerArguments arguments)
    {
        AzureStorageConnection connection;
        try
        {
            connection = AzureStorageConnection.Parse(Console.In.ReadLine());
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"worker {arguments.Identity}: {e.Message}");
            return WorkerExitCodes.BadConnectionSettings;
        }

        if (connection.TaskHub != arguments.TaskQueue)
        {
            await Console.Error.WriteLineAsync($"worker {arguments.Identity}: --task-queue {arguments.TaskQueue} is not the connection's task hub {connection.TaskHub}");
            return WorkerExitCodes.Usage;
        }

        ParentWatch.Start(arguments.ParentProcessId);
        using var journal = StepJournal.Open(arguments.LedgerPath);
        TaskHubWorker worker;
        try
        {
            var service = new AzureStorageOrchestrationService(AzureStorageHub.Settings(connection, arguments.Identity));
            worker = new TaskHubWorker(service);
            worker.AddTaskOrchestrations(new NameValueObjectCreator<TaskOrchestration>(
                StepsSurviveWorkerKillOrchestration.Name, StepsSurviveWorkerKillOrchestration.Version, typeof(StepsSurviveWorkerKillOrchestration)));
            worker.AddTaskActivities(new NameValueObjectCreator<TaskActivity>(
                JournaledStepActivity.Name, JournaledStepActivity.Version, new JournaledStepActivity(journal, arguments.Identity)));
            await worker.StartAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync(connection.Redact(
                $"{WorkerExitCodes.CannotConnectPrefix} to {connection.Describe()}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
            return WorkerExitCodes.CannotConnect;
        }

        journal.WorkerStarted(arguments.Identity, $"pid {Environment.ProcessId}, task hub {connection.TaskHub}, host {HostSelection.DurableTask}");
        Console.WriteLine($"worker {arguments.Identity} running task hub {connection.Describe()}");

        // Killed by the test, or ended by ParentWatch; nothing here stops it gracefully.
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
