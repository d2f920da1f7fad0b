using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Converters;

namespace DurableEval.Tests.Evidence;

/// <summary>
/// Reads what a marker in history carries, so a fact can judge the marker itself rather than notice its absence
/// later as a nondeterminism error. Core writes a local activity's outcome as a "core_local_activity" marker whose
/// details hold "data" (JSON: seq, activity id and type, attempt) and "result" (the result payload); a replay reads
/// the result from there instead of running the activity again.
/// </summary>
public static class MarkerContents
{
    public const string LocalActivityMarker = "core_local_activity";
    public const string PatchMarker = "core_patch";

    /// <summary>The MarkerRecorded events with this marker name, in history order.</summary>
    public static IReadOnlyList<HistoryEvent> Markers(WorkflowHistory history, string markerName) => history.Events
        .Where(e => e.EventType == EventType.MarkerRecorded && e.MarkerRecordedEventAttributes.MarkerName == markerName)
        .ToList();

    /// <summary>The local activity result a core_local_activity marker carries, or null when its details hold none.</summary>
    public static T? LocalActivityResult<T>(HistoryEvent marker) =>
        marker.MarkerRecordedEventAttributes.Details.TryGetValue("result", out var payloads) && payloads.Payloads_.Count > 0
            ? DataConverter.Default.PayloadConverter.ToValue<T>(payloads.Payloads_[0])
            : default;

    /// <summary>Whether the marker's details hold a result payload at all.</summary>
    public static bool HasLocalActivityResult(HistoryEvent marker) =>
        marker.MarkerRecordedEventAttributes.Details.TryGetValue("result", out var payloads) && payloads.Payloads_.Count > 0;

    /// <summary>The detail keys a marker carries, for evidence lines ("data, result"; "none").</summary>
    public static string DetailKeys(HistoryEvent marker)
    {
        var keys = marker.MarkerRecordedEventAttributes.Details.Keys.Order(StringComparer.Ordinal).ToList();
        return keys.Count == 0 ? "none" : string.Join(", ", keys);
    }
}
