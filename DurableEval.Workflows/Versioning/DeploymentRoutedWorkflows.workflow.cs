using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Versioning;

// Worker deployment versioning probes (dev or external server only): each workflow waits for "finish" and then
// returns the build it finished on, so a fact sees where the server routed the run after the current version
// changed. v1 and v2 of each type are replay-compatible up to the signal, as auto-upgrade requires.

/// <summary>Pinned, build 1: a run started here must finish here even after build 2 becomes current.</summary>
[Workflow(PinnedOnVersionV1.TypeName, VersioningBehavior = VersioningBehavior.Pinned)]
public class PinnedOnVersionV1
{
    public const string TypeName = "PinnedOnVersion";

    private bool finish;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finish);
        return "v1";
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finish = true;
        return Task.CompletedTask;
    }
}

[Workflow(PinnedOnVersionV1.TypeName, VersioningBehavior = VersioningBehavior.Pinned)]
public class PinnedOnVersionV2
{
    private bool finish;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finish);
        return "v2";
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finish = true;
        return Task.CompletedTask;
    }
}

/// <summary>Auto-upgrade, build 1: a run started here moves to build 2 once that becomes current.</summary>
[Workflow(UpgradesOnVersionV1.TypeName, VersioningBehavior = VersioningBehavior.AutoUpgrade)]
public class UpgradesOnVersionV1
{
    public const string TypeName = "UpgradesOnVersion";

    private bool finish;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finish);
        return "v1";
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finish = true;
        return Task.CompletedTask;
    }
}

[Workflow(UpgradesOnVersionV1.TypeName, VersioningBehavior = VersioningBehavior.AutoUpgrade)]
public class UpgradesOnVersionV2
{
    private bool finish;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => finish);
        return "v2";
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        finish = true;
        return Task.CompletedTask;
    }
}
