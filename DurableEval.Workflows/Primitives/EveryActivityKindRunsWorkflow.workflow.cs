using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Primitives;

/// <summary>
/// One step of each kind the SDK offers: a static-method activity, an instance-method activity whose class gets
/// its dependency injected, and a local activity (run in the workflow's worker, recorded as a marker). The result
/// shows what each step returned, so a fact can tie it to the injected service it owns.
/// </summary>
[Workflow]
public class EveryActivityKindRunsWorkflow
{
    private static readonly ActivityOptions Regular = new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };
    private static readonly LocalActivityOptions Local = new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) };

    [WorkflowRun]
    public async Task<ActivityKindsResult> RunAsync(string name)
    {
        var normalized = await Workflow.ExecuteActivityAsync(() => StaticSteps.Normalize(name), Regular);
        var greeting = await Workflow.ExecuteActivityAsync((ServiceSteps s) => s.Greet(normalized), Regular);
        var length = await Workflow.ExecuteLocalActivityAsync((ServiceSteps s) => s.Measure(greeting), Local);
        return new(normalized, greeting, length);
    }
}

public sealed record ActivityKindsResult(string Normalized, string Greeting, int Length);

/// <summary>A static-method activity: no instance, nothing injected.</summary>
public static class StaticSteps
{
    [Activity]
    public static string Normalize(string input) => input.Trim().ToLowerInvariant();
}

/// <summary>Instance-method activities; the worker is given an instance holding the service they depend on.</summary>
public sealed class ServiceSteps(GreetingService service)
{
    [Activity]
    public string Greet(string name) => service.Greet(name);

    [Activity]
    public int Measure(string text) => service.Measure(text);
}

/// <summary>The injected dependency: a small service the fact owns, so it can see which calls reached it.</summary>
public sealed class GreetingService(string salutation)
{
    private readonly ConcurrentQueue<string> calls = new();

    public IReadOnlyList<string> Calls => calls.ToList();

    public string Greet(string name)
    {
        calls.Enqueue(nameof(Greet));
        return $"{salutation}, {name}";
    }

    public int Measure(string text)
    {
        calls.Enqueue(nameof(Measure));
        return text.Length;
    }
}
