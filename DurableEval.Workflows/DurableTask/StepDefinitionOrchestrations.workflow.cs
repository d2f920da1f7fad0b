using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A step written as a plain static method, registered as a function (AddActivityFunc) rather than a class.</summary>
public static class StaticSteps
{
    public const string Shout = "Shout";

    public static string ShoutStep(TaskActivityContext context, string input) => input.ToUpperInvariant() + "!";
}

/// <summary>A step written as a class whose dependency (the log) the worker injects through its constructor.</summary>
public sealed class InjectedGreetingActivity(DurableCallLog log) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        log.Record(context.InstanceId, nameof(InjectedGreetingActivity), input);
        return Task.FromResult($"hello {input}");
    }
}

/// <summary>A class-based step registered under the name its attribute gives, not its type name.</summary>
[DurableTask(AttributeName)]
public sealed class RenamedStepActivity : TaskActivity<string, int>
{
    public const string AttributeName = "measure-length";

    public override Task<int> RunAsync(TaskActivityContext context, string input) => Task.FromResult(input.Length);
}

/// <summary>Calls each kind of step once, and a step nobody registered, and reports what each returned.</summary>
public sealed class StepKindsOrchestrator : TaskOrchestrator<string, IReadOnlyList<string>>
{
    public const string Unregistered = "NeverRegistered";

    public override async Task<IReadOnlyList<string>> RunAsync(TaskOrchestrationContext context, string input)
    {
        var results = new List<string>
        {
            await context.CallActivityAsync<string>(StaticSteps.Shout, input),
            await context.CallActivityAsync<string>(nameof(InjectedGreetingActivity), input),
            (await context.CallActivityAsync<int>(RenamedStepActivity.AttributeName, input)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            results.Add(await context.CallActivityAsync<string>(Unregistered, input));
        }
        catch (TaskFailedException e)
        {
            results.Add($"failed:{e.FailureDetails.ErrorType}:{e.FailureDetails.ErrorMessage}");
        }

        return results;
    }
}
