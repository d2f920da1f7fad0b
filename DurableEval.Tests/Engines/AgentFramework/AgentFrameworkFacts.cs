using DurableEval.Tests.Criteria;
using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.AgentFramework;

/// <summary>
/// Microsoft Agent Framework workflows (Microsoft.Agents.AI.Workflows), measured with the catalog's criteria: one file
/// per criterion. Every check runs on the framework's in-process execution, in this process or in DurableEval.Worker
/// processes the facts kill; nothing here needs the Temporal server fixture.
/// </summary>
public sealed partial class AgentFrameworkFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output)
{
    private const string Engine = "agentframework";

    /// <summary>What the framework leaves to the application, said once and cited by every fact it concerns.</summary>
    internal const string LeftToTheUser =
        "Agent Framework workflows leave to the application: deciding after a restart which runs to resume and from which checkpoint "
        + "(GetLatestCheckpointAsync per session), supervising and restarting the process, retries and timeouts of executors and model calls, "
        + "deduplication of side effects (an executor is given no attempt number or idempotency key), versioning of workflow code against stored "
        + "checkpoints, a durable checkpoint store for production (FileSystemJsonCheckpointStore is a local folder), and timers or deadlines on waits.";

    /// <summary>What the file store's own source says of it, and what that means for a crash.</summary>
    internal const string FileStoreCaveat =
        "FileSystemJsonCheckpointStore is documented in its source as process-exclusive and not thread-safe: concurrent runs sharing one instance interleaved their "
        + "index lines while this fact was built, and the store then refused to load (\"Index corrupted\"), so each run here has a store of its own. It appends each "
        + "index line with a flush and no atomic rename, so a process killed during that write could leave the same unloadable index; the kills here land mid-step, "
        + "not mid-write, and did not hit it.";

    private const string FileStoreSource = "https://github.com/microsoft/agent-framework/blob/main/dotnet/src/Microsoft.Agents.AI.Workflows/Checkpointing/FileSystemJsonCheckpointStore.cs";

    private const string CheckpointsDoc = "https://learn.microsoft.com/agent-framework/workflows/checkpoints";
    private const string RequestsDoc = "https://learn.microsoft.com/agent-framework/workflows/human-in-the-loop";
}
