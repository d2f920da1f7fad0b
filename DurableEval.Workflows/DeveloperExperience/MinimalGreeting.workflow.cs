using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace DurableEval.Workflows.DeveloperExperience;

// DX-01 counts the code lines of this file: the smallest complete workflow, activity and worker.
// Keep it minimal and idiomatic; the fact reads it at test time and also runs it.
public class GreetingActivities
{
    [Activity]
    public Task<string> ComposeGreetingAsync(string name) => Task.FromResult($"Hello, {name}!");
}

[Workflow]
public class GreetingWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteActivityAsync(
            (GreetingActivities a) => a.ComposeGreetingAsync(name),
            new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

public static class GreetingWorker
{
    public static async Task<string> RunOnceAsync(ITemporalClient client, WorkflowOptions options, string name)
    {
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(options.TaskQueue!)
            .AddAllActivities(new GreetingActivities())
            .AddWorkflow<GreetingWorkflow>());
        return await worker.ExecuteAsync(() => client.ExecuteWorkflowAsync((GreetingWorkflow w) => w.RunAsync(name), options));
    }
}
