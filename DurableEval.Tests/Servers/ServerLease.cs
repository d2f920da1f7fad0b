using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Testing;

namespace DurableEval.Tests.Servers;

/// <summary>
/// One block's use of a server: the environment, unique names, workflow options with an execution timeout,
/// and cleanup. Owned environments (a fresh time-skipping server) are disposed; shared ones have every workflow
/// the block started and left open terminated, so nothing keeps running afterwards.
/// </summary>
public sealed class ServerLease : IAsyncDisposable
{
    /// <summary>Bounds every workflow a fact starts; long enough for any fact, short enough that a leak ends.</summary>
    public static readonly TimeSpan DefaultExecutionTimeout = TimeSpan.FromHours(1);

    private readonly bool ownsEnvironment;
    private ITemporalClient? client;
    private WorkflowEnvironment? clientOf;
    private CancellationToken blockCancellation;
    private readonly List<string> startedIds = [];
    private readonly HashSet<string> expectingTaskFailures = new(StringComparer.Ordinal);
    private readonly Lock idsGate = new();
    private readonly string prefix;
    private readonly Func<Task<WorkflowEnvironment>>? restart;
    private readonly string? databaseFile;

    internal ServerLease(
        WorkflowEnvironment environment,
        ServerKind kind,
        string version,
        string isolation,
        bool ownsEnvironment,
        string criterionId,
        Func<Task<WorkflowEnvironment>>? restart = null,
        string? databaseFile = null,
        Uri? ui = null)
    {
        Ui = ui;
        this.restart = restart;
        this.databaseFile = databaseFile;
        Environment = environment;
        Kind = kind;
        Version = version;
        Isolation = isolation;
        this.ownsEnvironment = ownsEnvironment;
        prefix = "de-" + criterionId.ToLowerInvariant();
    }

    public WorkflowEnvironment Environment { get; private set; }

    /// <summary>
    /// The environment's client with the running block's cancellation carried into every long wait
    /// (<see cref="BlockCancellationInterceptor"/>); rebuilt when a restart replaces the environment.
    /// </summary>
    public ITemporalClient Client
    {
        get
        {
            if (!ReferenceEquals(clientOf, Environment))
            {
                var inner = Environment.Client;
                var options = (TemporalClientOptions)inner.Options.Clone();
                options.Interceptors = [new BlockCancellationInterceptor(() => blockCancellation), .. inner.Options.Interceptors ?? []];
                client = new TemporalClient(inner.Connection, options);
                clientOf = Environment;
            }

            return client!;
        }
    }

    /// <summary>Binds the block now running on this lease, whose cancellation every long client wait then observes.</summary>
    internal void BindBlock(CancellationToken cancellation) => blockCancellation = cancellation;

    public ServerKind Kind { get; }

    /// <summary>The web UI DurableEval started with this server (the shared dev server's), or null when it serves none.</summary>
    public Uri? Ui { get; }

    public string Version { get; }

    public string Isolation { get; }

    /// <summary>A task queue no other fact or run uses.</summary>
    public string NewTaskQueue(string purpose) => NewId(purpose);

    /// <summary>An id no other fact or run uses, for workflows, schedules and the like.</summary>
    public string NewId(string purpose) => $"{prefix}-{purpose}-{Guid.NewGuid():N}";

    /// <summary>Options for a workflow with a unique id on the given queue, bounded by an execution timeout.</summary>
    public WorkflowOptions Options(string purpose, string taskQueue, TimeSpan? executionTimeout = null)
    {
        var id = NewId(purpose);
        Track(id);
        return new WorkflowOptions(id, taskQueue) { ExecutionTimeout = executionTimeout ?? DefaultExecutionTimeout };
    }

    /// <summary>Registers an id the fact chose itself (e.g. reused on purpose) for cleanup.</summary>
    public void Track(string workflowId)
    {
        lock (idsGate)
        {
            startedIds.Add(workflowId);
        }
    }

    /// <summary>
    /// Opts one workflow id out of the block's watcher's task-failure rule: for facts that make its workflow
    /// task fail on purpose (nondeterminism probes). The no-progress rule still applies.
    /// </summary>
    public void ExpectTaskFailures(string workflowId)
    {
        lock (idsGate)
        {
            expectingTaskFailures.Add(workflowId);
        }
    }

    /// <summary>The ids this block started or tracked, each once, and whether each expects task failures.</summary>
    public IReadOnlyList<(string Id, bool ExpectsTaskFailures)> TrackedRuns()
    {
        lock (idsGate)
        {
            return startedIds.Distinct(StringComparer.Ordinal).Select(id => (id, expectingTaskFailures.Contains(id))).ToList();
        }
    }

    /// <summary>Stops the server and starts it again on the same database file; the client is replaced too.</summary>
    public async Task RestartServerAsync()
    {
        if (restart is null)
        {
            throw new InvalidOperationException($"a {ServerNames.Of(Kind)} lease cannot restart its server; ask for ServerNeed.RestartableDev");
        }

        await Environment.DisposeAsync();
        Environment = await restart();
    }

    public async ValueTask DisposeAsync()
    {
        if (ownsEnvironment)
        {
            await Environment.DisposeAsync();
            if (databaseFile is not null)
            {
                File.Delete(databaseFile);
            }

            return;
        }

        foreach (var (id, _) in TrackedRuns())
        {
            try
            {
                var description = await Client.GetWorkflowHandle(id).DescribeAsync();
                if (description.Status == WorkflowExecutionStatus.Running)
                {
                    await Client.GetWorkflowHandle(id).TerminateAsync("DurableEval cleanup: fact finished");
                }
            }
            catch (Temporalio.Exceptions.RpcException)
            {
                // Never started, or already gone: nothing to clean up.
            }
        }
    }
}
