using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// A gate a fact opens to let a gated activity finish, registered as a singleton next to the call log. The bound keeps
/// a fact that never opens it from holding the worker forever.
/// </summary>
public sealed class ActivityGate
{
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => opened.TrySetResult();

    public Task WaitAsync() => opened.Task.WaitAsync(TimeSpan.FromSeconds(20));
}

/// <summary>Records its progress in the log ("entered"), then waits for the gate before returning its input doubled.</summary>
public sealed class GatedActivity(DurableCallLog log, ActivityGate gate) : TaskActivity<int, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, int input)
    {
        log.Record(context.InstanceId, "entered", input.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await gate.WaitAsync();
        return input * 2;
    }
}

/// <summary>
/// Sets its custom status to "before-gated", runs the gated activity, then sets "after-gated:&lt;result&gt;": the only
/// state a client can read is what the orchestrator last set before yielding (Durable Task has no query handlers).
/// </summary>
public sealed class GatedStepOrchestrator : TaskOrchestrator<int, int>
{
    public const string Before = "before-gated";

    public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
    {
        context.SetCustomStatus(Before);
        var result = await context.CallActivityAsync<int>(nameof(GatedActivity), input);
        context.SetCustomStatus($"after-gated:{result.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return result;
    }
}
