using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Converters;

namespace DurableEval.Tests.Evidence;

/// <summary>One input history recorded: whether a payload was there at all, and its decoded value.</summary>
public sealed record RecordedInput<T>(bool Present, T? Value)
{
    public override string ToString() => Present ? $"{Value}" : "no input";
}

/// <summary>
/// Reads the inputs history recorded for signals and for a run's start, so a fact can compare them with what it
/// sent: a server that delivers a signal, or starts a continued run, without its payload shows here directly.
/// </summary>
public static class RecordedInputs
{
    /// <summary>The input of every WorkflowExecutionSignaled event for this signal name, in history order.</summary>
    public static IReadOnlyList<RecordedInput<T>> Signals<T>(WorkflowHistory history, string signalName) => history.Events
        .Where(e => e.EventType == EventType.WorkflowExecutionSignaled && e.WorkflowExecutionSignaledEventAttributes.SignalName == signalName)
        .Select(e => First<T>(e.WorkflowExecutionSignaledEventAttributes.Input))
        .ToList();

    /// <summary>The input recorded on the run's WorkflowExecutionStarted event.</summary>
    public static RecordedInput<T> Started<T>(WorkflowHistory history)
    {
        var started = history.Events.FirstOrDefault(e => e.EventType == EventType.WorkflowExecutionStarted);
        return started is null ? new(false, default) : First<T>(started.WorkflowExecutionStartedEventAttributes.Input);
    }

    private static RecordedInput<T> First<T>(Payloads? payloads) => payloads is { Payloads_.Count: > 0 }
        ? new(true, DataConverter.Default.PayloadConverter.ToValue<T>(payloads.Payloads_[0]))
        : new(false, default);
}
