using Temporalio.Activities;

namespace DurableEval.Workflows.Observability;

/// <summary>An inspection that always finds a crack: its exception's message and stack trace are what the history must show.</summary>
public sealed class InspectionActivities
{
    public static string CrackMessage(string part) => $"part {part} is cracked";

    [Activity]
    public Task InspectAsync(string part) => throw new InvalidOperationException(CrackMessage(part));
}
