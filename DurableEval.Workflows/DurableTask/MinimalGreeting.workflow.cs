using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace DurableEval.Workflows.DurableTask;

// DX-01 counts the code lines of this file: the smallest complete orchestration, activity, registration and a start
// that waits for the result. Keep it minimal and idiomatic; the fact reads it at test time and also runs it.
public sealed class ComposeGreetingActivity : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string name) => Task.FromResult($"Hello, {name}!");
}

public sealed class GreetingOrchestrator : TaskOrchestrator<string, string>
{
    public override Task<string> RunAsync(TaskOrchestrationContext context, string name) =>
        context.CallActivityAsync<string>(nameof(ComposeGreetingActivity), name);
}

public static class DurableGreeting
{
    public static void Register(DurableTaskRegistry tasks) =>
        tasks.AddOrchestrator<GreetingOrchestrator>().AddActivity<ComposeGreetingActivity>();

    public static async Task<string?> RunOnceAsync(DurableTaskClient client, string name, CancellationToken cancellation)
    {
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(GreetingOrchestrator), name, cancellation);
        var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cancellation);
        return done.ReadOutputAs<string>();
    }
}
