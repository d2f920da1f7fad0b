using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Execution;

/// <summary>
/// A little of everything replay must reproduce: an activity, a local activity, a child workflow, a timer and
/// a signal, with a query over the accumulated state. Used to compare cached and uncached workers and to feed
/// the replayer.
/// </summary>
[Workflow]
public class ReplayCorpusWorkflow
{
    private readonly List<string> trail = [];
    private string? note;

    [WorkflowQuery]
    public IReadOnlyList<string> Trail => trail;

    [WorkflowRun]
    public async Task<string> RunAsync(string input)
    {
        trail.Add(await Workflow.ExecuteActivityAsync(
            (CorpusActivities a) => a.Upper(input), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }));
        trail.Add(await Workflow.ExecuteLocalActivityAsync(
            (CorpusActivities a) => a.Reverse(input), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) }));
        trail.Add(await Workflow.ExecuteChildWorkflowAsync(
            (CorpusChildWorkflow c) => c.RunAsync(input),
            new() { Id = $"{Workflow.Info.WorkflowId}-child", ExecutionTimeout = TimeSpan.FromMinutes(10) }));
        await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
        await Workflow.WaitConditionAsync(() => note is not null);
        trail.Add(note!);
        return string.Join("|", trail);
    }

    [WorkflowSignal]
    public Task NoteAsync(string text)
    {
        note = text;
        return Task.CompletedTask;
    }
}

[Workflow]
public class CorpusChildWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string input) => Task.FromResult($"child:{input.Length}");
}

/// <summary>Counts its own invocations so a fact can tell whether a replay ran any activity.</summary>
public sealed class CorpusActivities(InvocationCounter counter)
{
    [Activity]
    public string Upper(string input)
    {
        counter.Increment(nameof(Upper));
        return input.ToUpperInvariant();
    }

    [Activity]
    public string Reverse(string input)
    {
        counter.Increment(nameof(Reverse));
        return new(input.Reverse().ToArray());
    }
}
