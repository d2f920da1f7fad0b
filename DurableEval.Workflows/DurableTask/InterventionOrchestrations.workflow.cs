using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>Records one step of an operator-driven run (cleanup or the remaining work) in the log with its note.</summary>
public sealed class OperatorStepActivity(DurableCallLog log) : TaskActivity<string[], string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string[] input)
    {
        log.Record(context.InstanceId, input[0], input[1]);
        return Task.FromResult(input[1]);
    }
}

/// <summary>
/// A run paused on an operator's command, its custom status "paused" meanwhile. "release:&lt;note&gt;" runs the remaining
/// work under the note and returns it; "cancel" runs the cleanup once and returns "cancelled" (Durable Task has no
/// cancellation request, so a cancel is an event the code handles); "fail" throws, leaving a failed run to rewind.
/// </summary>
public sealed class OperatorPausedOrchestrator : TaskOrchestrator<string, string>
{
    public const string CommandEvent = "operator";
    public const string Paused = "paused";
    public const string Cancelled = "cancelled";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        context.SetCustomStatus(Paused);
        var command = await context.WaitForExternalEvent<string>(CommandEvent);
        if (command == "cancel")
        {
            await context.CallActivityAsync<string>(nameof(OperatorStepActivity), new[] { "cleanup", input });
            context.SetCustomStatus(Cancelled);
            return Cancelled;
        }

        if (command == "fail")
        {
            throw new InvalidOperationException($"operator failed {input}");
        }

        var note = command.StartsWith("release:", StringComparison.Ordinal) ? command["release:".Length..] : command;
        context.SetCustomStatus(note);
        return await context.CallActivityAsync<string>(nameof(OperatorStepActivity), new[] { "work", note });
    }
}
