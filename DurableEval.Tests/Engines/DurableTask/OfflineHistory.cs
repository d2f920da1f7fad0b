using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Grpc;
using P = Microsoft.DurableTask.Protobuf;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>How one replay of a recorded history ended, as the SDK's executor reported it.</summary>
public sealed record ReplayOutcome(
    bool Completed,
    string? Result,
    string? FailureType,
    string? FailureMessage,
    IReadOnlyList<string> NewCommands,
    string? CustomStatus)
{
    public string Describe() => Completed
        ? $"completed with {Result}{(NewCommands.Count > 0 ? $" and new commands [{string.Join(", ", NewCommands)}]" : "")}"
        : FailureType is null
            ? $"did not complete; new commands [{string.Join(", ", NewCommands)}]"
            : $"failed {FailureType}: {FailureMessage}";
}

/// <summary>
/// Records and replays Durable Task histories without a backend. The in-process test host keeps no history, and the
/// SDK ships no replayer; its stateless entry point GrpcOrchestrationRunner.LoadAndRun (the one Azure Functions uses)
/// runs an orchestrator over past and new history events with the SDK's own executor and returns the actions it asks
/// for. Recording answers each scheduled activity from <c>activity</c>, each timer by firing it, each wait from the
/// supplied events, on a synthetic clock, so a history is byte-for-byte reproducible.
/// </summary>
public static class OfflineHistory
{
    public const string InstanceId = "offline-history";

    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Episodes after which recording gives up (an orchestrator that never completes).</summary>
    private const int MaxEpisodes = 50;

    public static IReadOnlyList<P.HistoryEvent> Record(
        ITaskOrchestrator orchestrator,
        string name,
        string? version,
        string? serializedInput,
        Func<string, string?, string?> activity,
        IReadOnlyList<(string Name, string? SerializedInput)>? events = null)
    {
        var pendingEvents = new Queue<(string Name, string? SerializedInput)>(events ?? []);
        var clock = Epoch;
        var history = new List<P.HistoryEvent>();
        var started = new P.ExecutionStartedEvent
        {
            Name = name,
            Version = version ?? "",
            Input = serializedInput,
            OrchestrationInstance = new P.OrchestrationInstance { InstanceId = InstanceId, ExecutionId = "0" },
        };
        var fresh = new List<P.HistoryEvent> { Stamp(new P.HistoryEvent { ExecutionStarted = started }, clock) };
        for (var episode = 0; episode < MaxEpisodes; episode++)
        {
            fresh.Insert(0, Stamp(new P.HistoryEvent { OrchestratorStarted = new P.OrchestratorStartedEvent() }, clock));
            var response = Run(orchestrator, history, fresh);
            history.AddRange(fresh);
            var next = new List<P.HistoryEvent>();
            foreach (var action in response.Actions)
            {
                switch (action.OrchestratorActionTypeCase)
                {
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                        history.Add(Stamp(new P.HistoryEvent { EventId = action.Id, TaskScheduled = new P.TaskScheduledEvent { Name = action.ScheduleTask.Name, Input = action.ScheduleTask.Input } }, clock));
                        next.Add(Stamp(new P.HistoryEvent { EventId = -1, TaskCompleted = new P.TaskCompletedEvent { TaskScheduledId = action.Id, Result = activity(action.ScheduleTask.Name, action.ScheduleTask.Input) } }, clock));
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                        history.Add(Stamp(new P.HistoryEvent { EventId = action.Id, TimerCreated = new P.TimerCreatedEvent { FireAt = action.CreateTimer.FireAt } }, clock));
                        next.Add(Stamp(new P.HistoryEvent { EventId = -1, TimerFired = new P.TimerFiredEvent { TimerId = action.Id, FireAt = action.CreateTimer.FireAt } }, clock));
                        var fireAt = action.CreateTimer.FireAt.ToDateTime();
                        clock = fireAt > clock ? fireAt : clock;
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration:
                        var complete = action.CompleteOrchestration;
                        history.Add(Stamp(new P.HistoryEvent { EventId = action.Id, ExecutionCompleted = new P.ExecutionCompletedEvent { OrchestrationStatus = complete.OrchestrationStatus, Result = complete.Result, FailureDetails = complete.FailureDetails } }, clock));
                        return history;
                    default:
                        throw new NotSupportedException($"the offline recorder does not answer {action.OrchestratorActionTypeCase}");
                }
            }

            history.Add(Stamp(new P.HistoryEvent { OrchestratorCompleted = new P.OrchestratorCompletedEvent() }, clock));
            if (next.Count == 0 && pendingEvents.Count > 0)
            {
                var (eventName, eventInput) = pendingEvents.Dequeue();
                next.Add(Stamp(new P.HistoryEvent { EventId = -1, EventRaised = new P.EventRaisedEvent { Name = eventName, Input = eventInput } }, clock));
            }

            if (next.Count == 0)
            {
                throw new InvalidOperationException($"{name} waits for something the recorder cannot answer after episode {episode}");
            }

            clock = clock.AddSeconds(1);
            fresh = next;
        }

        throw new InvalidOperationException($"{name} did not complete within {MaxEpisodes} episodes");
    }

    /// <summary>
    /// Replays a completed history: every episode but the last as past events, the last episode's events as new
    /// ones, exactly as a backend hands them to a worker; the recorded completion is left out, so the outcome is what
    /// <paramref name="orchestrator"/>'s code decides now.
    /// </summary>
    public static ReplayOutcome Replay(ITaskOrchestrator orchestrator, IReadOnlyList<P.HistoryEvent> history)
    {
        var events = history.Where(e => e.EventTypeCase != P.HistoryEvent.EventTypeOneofCase.ExecutionCompleted).ToList();
        var lastEpisode = events.FindLastIndex(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.OrchestratorStarted);
        var tail = events.Skip(lastEpisode).TakeWhile(e => e.EventTypeCase != P.HistoryEvent.EventTypeOneofCase.OrchestratorCompleted).ToList();
        var response = Run(orchestrator, events.Take(lastEpisode).ToList(), tail);
        var completion = response.Actions.FirstOrDefault(a => a.OrchestratorActionTypeCase == P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration)?.CompleteOrchestration;
        // The executor drops every action a past event already answered, so what is left is new work.
        var commands = response.Actions
            .Where(a => a.OrchestratorActionTypeCase != P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration)
            .Select(a => a.OrchestratorActionTypeCase == P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask ? $"ScheduleTask {a.ScheduleTask.Name}" : a.OrchestratorActionTypeCase.ToString())
            .ToList();
        return new ReplayOutcome(
            completion?.OrchestrationStatus == P.OrchestrationStatus.Completed,
            completion?.Result,
            completion?.FailureDetails?.ErrorType,
            completion?.FailureDetails?.ErrorMessage,
            commands,
            response.CustomStatus);
    }

    /// <summary>What the history recorded as the run's end (status and output), for comparison with a replay.</summary>
    public static (bool Completed, string? Result) RecordedEnd(IReadOnlyList<P.HistoryEvent> history)
    {
        var end = history.Last(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.ExecutionCompleted).ExecutionCompleted;
        return (end.OrchestrationStatus == P.OrchestrationStatus.Completed, end.Result);
    }

    public static IReadOnlyList<string> ScheduledNames(IReadOnlyList<P.HistoryEvent> history) =>
        history.Where(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.TaskScheduled).Select(e => e.TaskScheduled.Name).ToList();

    public static string ToJson(IReadOnlyList<P.HistoryEvent> history) =>
        "[\n" + string.Join(",\n", history.Select(e => JsonFormatter.Default.Format(e))) + "\n]\n";

    public static IReadOnlyList<P.HistoryEvent> FromJson(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(e => JsonParser.Default.Parse<P.HistoryEvent>(e.GetRawText()))
            .ToList();

    private static P.OrchestratorResponse Run(ITaskOrchestrator orchestrator, IReadOnlyList<P.HistoryEvent> past, IReadOnlyList<P.HistoryEvent> fresh)
    {
        var request = new P.OrchestratorRequest { InstanceId = InstanceId, ExecutionId = "0" };
        request.PastEvents.AddRange(past);
        request.NewEvents.AddRange(fresh);
        var encoded = GrpcOrchestrationRunner.LoadAndRun(Convert.ToBase64String(request.ToByteArray()), orchestrator, services: null);
        return P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(encoded));
    }

    private static P.HistoryEvent Stamp(P.HistoryEvent e, DateTime at)
    {
        e.Timestamp = Timestamp.FromDateTime(at);
        return e;
    }
}
