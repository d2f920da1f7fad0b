using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Worker;

namespace DurableEval.Tests.Evidence;

/// <summary>Reads what a run's event history shows, and replays histories, for facts to assert on.</summary>
public static class HistoryProbe
{
    public static IReadOnlyList<EventType> Types(WorkflowHistory history) => history.Events.Select(e => e.EventType).ToList();

    public static int Count(WorkflowHistory history, EventType type) => history.Events.Count(e => e.EventType == type);

    /// <summary>A compact "Started > ActivityTaskScheduled > ..." line for evidence texts.</summary>
    public static string Sequence(IEnumerable<EventType> types) =>
        string.Join(" > ", types.Select(t => t.ToString()));

    /// <summary>True when <paramref name="expected"/> appears in order within the history (other events may interleave).</summary>
    public static bool ContainsInOrder(IReadOnlyList<EventType> actual, IReadOnlyList<EventType> expected)
    {
        var next = 0;
        foreach (var type in actual)
        {
            if (next < expected.Count && type == expected[next])
            {
                next++;
            }
        }

        return next == expected.Count;
    }

    public static T DecodeFirst<T>(Temporalio.Api.Common.V1.Payloads payloads) =>
        DataConverter.Default.PayloadConverter.ToValue<T>(payloads.Payloads_[0]);

    public static HistoryEvent? FirstOf(WorkflowHistory history, EventType type) =>
        history.Events.FirstOrDefault(e => e.EventType == type);

    /// <summary>Polls the history until a workflow task failure appears; returns its message or null after the bound.</summary>
    public static async Task<string?> WorkflowTaskFailureAsync(WorkflowHandle handle, TimeSpan within)
    {
        string? message = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                var history = await handle.FetchHistoryAsync();
                message = FirstOf(history, EventType.WorkflowTaskFailed)?.WorkflowTaskFailedEventAttributes.Failure?.Message;
                return message is not null;
            },
            within);
        return message;
    }

    /// <summary>
    /// A failure as one readable line: core reports nondeterminism wrapped in a Rust debug dump, whose first
    /// quoted message is the part that names the mismatch.
    /// </summary>
    public static string Summarize(Exception failure)
    {
        var match = System.Text.RegularExpressions.Regex.Match(failure.Message, "message: \"([^\"]*)\"");
        return $"{failure.GetType().Name}: {(match.Success ? match.Groups[1].Value : failure.Message)}";
    }

    /// <summary>Replays each history against the registered workflows; a null failure means it replayed cleanly.</summary>
    public static async Task<IReadOnlyList<(string WorkflowId, Exception? Failure, double Milliseconds)>> ReplayAsync(
        IEnumerable<WorkflowHistory> histories, Action<WorkflowReplayerOptions> register, CancellationToken cancellation = default)
    {
        var options = new WorkflowReplayerOptions();
        register(options);
        var replayer = new WorkflowReplayer(options);
        var results = new List<(string, Exception?, double)>();
        foreach (var history in histories)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: false, cancellation);
            results.Add((history.Id, result.ReplayFailure, clock.Elapsed.TotalMilliseconds));
        }

        return results;
    }
}
