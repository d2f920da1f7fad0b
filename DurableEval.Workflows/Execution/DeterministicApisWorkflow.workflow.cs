using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// Draws from every deterministic API the SDK offers (time, random, GUID, durable delay) and exposes the draw
/// through a query, so a replay (the query after completion on an uncached worker) must reproduce it exactly.
/// </summary>
[Workflow]
public class DeterministicApisWorkflow
{
    [WorkflowQuery]
    public DeterministicSample? Sample { get; private set; }

    [WorkflowRun]
    public async Task<DeterministicSample> RunAsync()
    {
        var started = Workflow.UtcNow;
        var random = Workflow.Random.Next();
        var guid = Workflow.NewGuid();
        await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
        Sample = new(random, guid.ToString(), started, Workflow.UtcNow);
        return Sample;
    }
}

public sealed record DeterministicSample(int Random, string Guid, DateTime Started, DateTime AfterDelay);

/// <summary>Awaits a task on the .NET thread pool, which a workflow must never do.</summary>
[Workflow]
public class ThreadPoolTaskWorkflow
{
    [WorkflowRun]
    public async Task<int> RunAsync() =>

        // Deliberately forbidden: the SDK should catch this instead of letting it slip into history.
#pragma warning disable CA2008 // The default scheduler is the point of the probe.
        await Task.Run(() => 42);
#pragma warning restore CA2008
}

/// <summary>Sleeps with Task.Delay (a thread-pool timer) instead of the durable Workflow.DelayAsync.</summary>
[Workflow]
public class ThreadPoolDelayWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(10));
        return "slept";
    }
}
