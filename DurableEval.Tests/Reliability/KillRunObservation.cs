using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// Everything the oracles judge, as plain data: the plan, the journal every process wrote (raw executions,
/// effects, kills, results, in one sequence), what each workflow returned, and the worker that ended the run by
/// exiting on its own or never starting, if one did. Built by <see cref="KillProtocol"/>
/// from a live run, or by hand in a self-test. <see cref="HistoryRecordsAttempts"/> is false for an engine whose
/// history keeps no attempt number (Durable Task writes no activity-started event): the attempt oracle then
/// compares the attempts the executions saw with each other and the history's completion only.
/// </summary>
public sealed record KillRunObservation(
    int Seed,
    int Steps,
    IReadOnlyList<PlannedKill> Schedule,
    IReadOnlyList<JournalEntry> Journal,
    IReadOnlyList<WorkflowOutcome> Workflows,
    string? Stall = null,
    WorkerExit? WorkerExit = null,
    bool HistoryRecordsAttempts = true);

/// <summary>
/// One workflow of the run: its number and id, the result it had to return, what it returned or how it failed,
/// how many activities its final history scheduled, and what that history records of each activity (both null
/// when the history could not be fetched).
/// </summary>
public sealed record WorkflowOutcome(
    int Index,
    string WorkflowId,
    string Expected,
    string? Result,
    string? Failure,
    int? ScheduledActivities = null,
    IReadOnlyList<HistoryActivity>? Activities = null);

/// <summary>
/// One activity as the final history records it: its id, the event id of its ActivityTaskScheduled, the attempt
/// on its ActivityTaskStarted (the attempt whose outcome the server kept; null when never started), and the event
/// id of its ActivityTaskCompleted (null when it never completed).
/// </summary>
public sealed record HistoryActivity(string ActivityId, long ScheduledEventId, int? StartedAttempt, long? CompletedEventId);

/// <summary>
/// A kill the seeded schedule plans: once <see cref="AfterCompletedSteps"/> distinct steps are done in the journal
/// and, <see cref="DelayMilliseconds"/> later, the current worker has a step started and not completed.
/// </summary>
public sealed record PlannedKill(int AfterCompletedSteps, int DelayMilliseconds);
