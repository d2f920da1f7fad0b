using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>
/// Waits for "second" before "first", showing "waiting-second" as its custom status meanwhile: a "first" event raised
/// during that wait has no waiter yet and must be buffered by the engine until the orchestration asks for it.
/// </summary>
public class OutOfOrderEventsOrchestrator : TaskOrchestrator<string, string>
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
        return Report(first, second);
    }

    protected virtual string Report(string first, string second) => $"{first}|{second}";
}

/// <summary>
/// The same waits with the two payloads swapped on the way out, as an engine that hands a buffered event to the wrong
/// wait would: a deliberately broken orchestration the self-test runs SG-01's buffered-event check against.
/// </summary>
public sealed class EventsMisroutedOrchestrator : OutOfOrderEventsOrchestrator
{
    protected override string Report(string first, string second) => $"{second}|{first}";
}
