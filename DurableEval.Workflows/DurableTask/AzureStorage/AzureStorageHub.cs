using global::DurableTask.AzureStorage;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// The Azure Storage provider's settings for the crash facts, shared by the test (which creates the hub and starts
/// orchestrations) and the worker process (which runs them), so both see the same task hub the same way.
/// </summary>
public static class AzureStorageHub
{
    /// <summary>
    /// How soon work held by a killed worker is handed out again: the visibility timeout of a dequeued control-queue
    /// (orchestration) or work-item (activity) message; the default is 5 minutes. It must exceed by far the time a live
    /// worker holds a message, or a live worker's messages reappear and run twice with no kill: at 3 s, on this 2-core
    /// machine at a load of about 30, live workers re-ran steps (dequeued messages wait in the provider's buffers before
    /// they run); at 8 s no duplicate went unexplained by a kill, with a slowest step of 272 ms, and EX-01 took 26 s.
    /// </summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long a partition lease lasts without renewal (table partition manager): a killed worker's lease on the
    /// one control queue must run out before its successor can take the partition. Blob leases cannot be shorter
    /// than 15 s, the table partition manager's can.
    /// </summary>
    public static readonly TimeSpan LeaseInterval = TimeSpan.FromSeconds(3);

    public static AzureStorageOrchestrationServiceSettings Settings(AzureStorageConnection connection, string workerId)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connection.ConnectionString),
            TaskHubName = connection.TaskHub,
            WorkerId = workerId,

            // One control queue: one lease to take over after a kill, and the fewest queues to poll on a loaded machine.
            PartitionCount = 1,
            ControlQueueVisibilityTimeout = VisibilityTimeout,
            WorkItemQueueVisibilityTimeout = VisibilityTimeout,

            // The default backs idle polling off to 30 s, which a new worker's first poll after a kill would wait out.
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(500),
            UseTablePartitionManagement = true,
            LeaseInterval = LeaseInterval,
            LeaseRenewInterval = TimeSpan.FromSeconds(1),
            LeaseAcquireInterval = TimeSpan.FromSeconds(1),
        };
    }
}
