using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// A run started by an event trigger: it collects events (as signals or updates) until it has the number it
/// was started for, and returns them, so a fact can see how many runs a trigger started and which events each got.
/// </summary>
[Workflow]
public class EventInboxWorkflow
{
    private readonly List<string> events = [];

    [WorkflowQuery]
    public IReadOnlyList<string> Events => events;

    [WorkflowRun]
    public async Task<IReadOnlyList<string>> RunAsync(int expected)
    {
        await Workflow.WaitConditionAsync(() => events.Count >= expected);
        return events;
    }

    [WorkflowSignal]
    public Task EventAsync(string name)
    {
        events.Add(name);
        return Task.CompletedTask;
    }

    /// <summary>The update form of an event: the caller learns how many events the run holds once it is recorded.</summary>
    [WorkflowUpdate]
    public Task<int> RecordAsync(string name)
    {
        events.Add(name);
        return Task.FromResult(events.Count);
    }
}
