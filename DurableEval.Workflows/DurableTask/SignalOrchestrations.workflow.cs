using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// Waits for "second" before "first", showing "waiting-second" as its custom status meanwhile: a "first" event raised
/// during that wait has no waiter yet and must be buffered by the engine until the orchestration asks for it.
/// </summary>
public sealed class OutOfOrderEventsOrchestrator : TaskOrchestrator<string, string>
{
    public const string FirstEvent = "first";
    public const string SecondEvent = "second";
    public const string WaitingSecond = "waiting-second";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        context.SetCustomStatus(WaitingSecond);
        var second = await context.WaitForExternalEvent<string>(SecondEvent);
        context.SetCustomStatus("waiting-first");
        var first = await context.WaitForExternalEvent<string>(FirstEvent);
        return $"{first}|{second}";
    }
}
