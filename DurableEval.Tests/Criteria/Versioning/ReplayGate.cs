using System.Text.Json;
using System.Text.RegularExpressions;
using DurableEval.Tests.Evidence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Worker;

namespace DurableEval.Tests.Criteria;

/// <summary>One history file's verdict in a replay gate run: its failure (null: replayed cleanly) and the event it names.</summary>
public sealed record GateVerdict(string File, string WorkflowType, Exception? Failure, HistoryEvent? BreakingEvent)
{
    public bool Breaks => Failure is not null;

    public override string ToString() => Failure is null
        ? $"{File}: replays"
        : $"{File}: breaks at {(BreakingEvent is null ? "an unnamed event" : ReplayGate.Describe(BreakingEvent))} ({HistoryProbe.Summarize(Failure)})";
}

/// <summary>
/// The check a CI pipeline runs before deploying workflow code: replay every recorded history in a folder against
/// the new code, and for each one that breaks, name the file and the history event the new code cannot follow.
/// </summary>
public static partial class ReplayGate
{
    /// <summary>Loads every history of a subfolder of the recorded histories (a name is "folder/file").</summary>
    public static IReadOnlyList<(string Name, WorkflowHistory History)> LoadFolder(string folder)
    {
        var directory = Path.Combine(Settings.HistoriesDirectory, folder);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.json")
                .Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)
                .Select(n => (n, HistoryFixtures.Load($"{folder}/{n}")!))
                .ToList()
            : [];
    }

    public static async Task<IReadOnlyList<GateVerdict>> RunAsync(
        IReadOnlyList<(string Name, WorkflowHistory History)> corpus, Action<WorkflowReplayerOptions> register, CancellationToken cancellation)
    {
        var replays = await HistoryProbe.ReplayAsync(corpus.Select(c => c.History), register, cancellation);
        return corpus.Zip(replays, (c, r) => new GateVerdict(
            c.Name,
            WorkflowTypeOf(c.History),
            r.Failure,
            r.Failure is null ? null : BreakingEvent(c.History, r.Failure))).ToList();
    }

    public static string WorkflowTypeOf(WorkflowHistory history) =>
        history.Events.FirstOrDefault()?.WorkflowExecutionStartedEventAttributes?.WorkflowType?.Name ?? "(unknown)";

    /// <summary>
    /// The history event a replay failure points at. Core names it in one of three ways: "HistoryEvent(id: N, ...)"
    /// for a command/event mismatch, "scheduled event 'T'" for an activity type mismatch, and "patch marker ... for
    /// change P" for a patch marker no code asks for. Null when the failure names no event (then the gate can only
    /// name the file).
    /// </summary>
    public static HistoryEvent? BreakingEvent(WorkflowHistory history, Exception failure)
    {
        var message = failure.Message;
        if (EventIdPattern().Match(message) is { Success: true } byId)
        {
            var id = long.Parse(byId.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return history.Events.FirstOrDefault(e => e.EventId == id);
        }

        if (ActivityTypePattern().Match(message) is { Success: true } byType)
        {
            return FirstScheduled(history, byType.Groups[1].Value);
        }

        if (PatchPattern().Match(message) is { Success: true } byPatch)
        {
            return PatchMarker(history, byPatch.Groups[1].Value);
        }

        return null;
    }

    public static HistoryEvent? FirstScheduled(WorkflowHistory history, string activityType) =>
        history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskScheduled && e.ActivityTaskScheduledEventAttributes.ActivityType.Name == activityType);

    /// <summary>The core_patch marker recorded for a patch id (any patch when null).</summary>
    public static HistoryEvent? PatchMarker(WorkflowHistory history, string? patchId = null) =>
        history.Events.FirstOrDefault(e => e.EventType == EventType.MarkerRecorded
            && e.MarkerRecordedEventAttributes.MarkerName == "core_patch"
            && (patchId is null || PatchOf(e).Id == patchId));

    /// <summary>The patch id and deprecated flag a core_patch marker carries in its "patch-data" detail.</summary>
    public static (string? Id, bool Deprecated) PatchOf(HistoryEvent marker)
    {
        if (!marker.MarkerRecordedEventAttributes.Details.TryGetValue("patch-data", out var payloads) || payloads.Payloads_.Count == 0)
        {
            return (null, false);
        }

        using var json = JsonDocument.Parse(payloads.Payloads_[0].Data.Memory);
        var root = json.RootElement;
        return (
            root.TryGetProperty("id", out var id) ? id.GetString() : null,
            root.TryGetProperty("deprecated", out var deprecated) && deprecated.ValueKind == JsonValueKind.True);
    }

    public static string Describe(HistoryEvent e) => e.EventType switch
    {
        EventType.ActivityTaskScheduled => $"event {e.EventId} ActivityTaskScheduled({e.ActivityTaskScheduledEventAttributes.ActivityType.Name})",
        EventType.MarkerRecorded when e.MarkerRecordedEventAttributes.MarkerName == "core_patch" => $"event {e.EventId} MarkerRecorded(core_patch {PatchOf(e).Id})",
        _ => $"event {e.EventId} {e.EventType}",
    };

    [GeneratedRegex(@"HistoryEvent\(id: (\d+),")]
    private static partial Regex EventIdPattern();

    [GeneratedRegex(@"scheduled event '([^']+)'")]
    private static partial Regex ActivityTypePattern();

    [GeneratedRegex(@"patch marker encountered for change ([^,\s]+)")]
    private static partial Regex PatchPattern();
}
