using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>Observations and helpers shared by the ExecutionSemanticsFacts facts.</summary>
public sealed partial class ExecutionSemanticsFacts
{
    /// <summary>Every workflow whose recorded history is expected to replay unchanged.</summary>
    private static void RegisterReplayable(WorkflowReplayerOptions options) => options
        .AddWorkflow<ReplayCorpusWorkflow>()
        .AddWorkflow<CorpusChildWorkflow>()
        .AddWorkflow<ShipmentWorkflow>()
        .AddWorkflow<DeterministicApisWorkflow>()
        .AddWorkflow<HistoryRecordsEveryStepWorkflow>();

    private static async Task ExpectDivergenceDetectedAsync(CheckScope checks, WorkflowHistory history, string controlId, string detectedId)
    {
        var control = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ShipmentWorkflow>(), checks.Cancellation);
        checks.Expect(controlId, control[0].Failure is null, control[0].Failure?.Message ?? $"{history.Events.Count} events replayed cleanly");
        var changed = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<ReorderedShipmentWorkflow>(), checks.Cancellation);
        var failure = changed[0].Failure;

        // The changed code issues a timer where the history recorded the first activity: the error must name
        // that machine and that very event (id and type), not merely mention an event.
        var divergent = history.Events.FirstOrDefault(e => e.EventType == Temporalio.Api.Enums.V1.EventType.ActivityTaskScheduled);
        var expected = divergent is null ? "no ActivityTaskScheduled in the history" : $"HistoryEvent(id: {divergent.EventId}, ActivityTaskScheduled)";
        checks.Expect(
            detectedId,
            failure is WorkflowNondeterminismException && divergent is not null
                && NamesMismatch(failure.Message, "Timer machine", expected),
            $"expected the Timer machine and {expected} named; {(failure is null ? "replayed cleanly against changed code (not detected)" : HistoryProbe.Summarize(failure))}");
    }

    /// <summary>Whether a nondeterminism message names the machine the changed code drove and the recorded event it met.</summary>
    internal static bool NamesMismatch(string message, string machine, string recordedEvent) =>
        message.Contains("Nondeterminism", StringComparison.OrdinalIgnoreCase)
        && message.Contains(machine, StringComparison.Ordinal)
        && message.Contains(recordedEvent, StringComparison.Ordinal);

    private static WorkflowOptions With(WorkflowOptions options, Action<WorkflowOptions> change)
    {
        var copy = (WorkflowOptions)options.Clone();
        change(copy);
        return copy;
    }
}
