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
    /// (orchestration) or work-item (activity) message. The default is 5 minutes; a step works 250 ms, so 3 s
    /// still leaves a wide margin for a live worker on a loaded machine while keeping each kill's recovery short.
    /// </summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(3);

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
