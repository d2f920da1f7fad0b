using Temporalio.Common;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>Streams a model answer inside one activity that heartbeats per chunk; the workflow gets only the final text.</summary>
[Workflow]
public class HeartbeatStreamWorkflow
{
    [WorkflowRun]
    public Task<StreamedAnswer> RunAsync(ChatPrompt prompt) =>
        Workflow.ExecuteActivityAsync((ModelActivities m) => m.StreamAsync(prompt), new()
        {
            StartToCloseTimeout = TimeSpan.FromSeconds(20),
            HeartbeatTimeout = TimeSpan.FromSeconds(2),
            RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
        });
}

/// <summary>The signal-per-chunk pattern: the activity signals each chunk back, the workflow holds the partial text for queries.</summary>
[Workflow]
public class SignalStreamWorkflow
{
    private readonly List<string> chunks = [];

    [WorkflowQuery]
    public string Partial => string.Concat(chunks);

    [WorkflowRun]
    public async Task<StreamedAnswer> RunAsync(ChatPrompt prompt)
    {
        var answer = await Workflow.ExecuteActivityAsync((ModelActivities m) => m.StreamToWorkflowAsync(prompt), new()
        {
            StartToCloseTimeout = TimeSpan.FromSeconds(20),
            RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
        });

        // Signals sent before the activity completed are all delivered before its result; wait for them anyway.
        await Workflow.WaitConditionAsync(() => chunks.Count >= answer.Chunks);
        return new(string.Concat(chunks), chunks.Count);
    }

    [WorkflowSignal]
    public Task ChunkAsync(string chunk)
    {
        chunks.Add(chunk);
        return Task.CompletedTask;
    }
}
