using System.Globalization;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.DurableTask.AzureStorage;
using DurableEval.Workflows.Shared;
using DurableTask.Core.History;
using Xunit;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// The Durable Task kill oracles, offline: a journal and a task hub history shaped as the Azure Storage provider writes
/// them (task ids as activity ids, delivery attempts, no activity-started event) pass the oracles EX-01 and CP-02 record
/// when the engine behaves, and fail them when a step the task hub had recorded before the kill runs again.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class AzureStorageOracleSelfTests
{
    private const int Steps = 2;
    private const string Instance = "de-dtkill-selftest-w0";

    [Fact]
    public void KilledInFlightStepRerunPasses()
    {
        var verdicts = ReliabilityOracles.Evaluate(Run(completedStepRunsAgain: false));

        Assert.Equal(OracleOutcome.Passed, verdicts.AllComplete.Outcome);
        Assert.Equal(OracleOutcome.Passed, verdicts.CompletedStepsNotRerun.Outcome);
        Assert.Equal(OracleOutcome.Passed, verdicts.DuplicatesBounded.Outcome);
        Assert.Equal(OracleOutcome.Passed, verdicts.EffectsOnce.Outcome);
        Assert.Contains("records no attempt numbers", verdicts.EffectsOnce.Evidence, StringComparison.Ordinal);
        Assert.Equal(1, verdicts.Metrics.KillsLanded);
    }

    [Fact]
    public void CompletedStepRunningAgainFailsNoRerun()
    {
        // Broken: step 1 was in the task hub's history (step 2 had started) before the kill, yet ran again after it.
        var verdicts = ReliabilityOracles.Evaluate(Run(completedStepRunsAgain: true));

        Assert.Equal(OracleOutcome.Failed, verdicts.CompletedStepsNotRerun.Outcome);
        Assert.Contains("w0 step 1 ran 1 more time(s) after the server had recorded it", verdicts.CompletedStepsNotRerun.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Failed, verdicts.DuplicatesBounded.Outcome);
        Assert.Equal(OracleOutcome.Failed, OracleVerdict.AllOf(verdicts.AllComplete, verdicts.CompletedStepsNotRerun, verdicts.EffectsOnce).Outcome);
    }

    [Fact]
    public void ReadsTheTaskHubHistory()
    {
        var activities = AzureStorageKillProtocol.ParseHistory(History());

        Assert.Equal(["0", "1"], activities.Select(a => a.ActivityId));
        Assert.All(activities, a => Assert.Null(a.StartedAttempt));
        Assert.True(activities[0].CompletedEventId < activities[1].ScheduledEventId);
        Assert.NotNull(activities[1].CompletedEventId);
    }

    /// <summary>
    /// Step 1 completes on worker-1, step 2 starts there (so step 1 is recorded) and is killed in flight; worker-2 re-runs
    /// step 2 on delivery attempt 2 and, when broken, step 1 as well.
    /// </summary>
    private static KillRunObservation Run(bool completedStepRunsAgain)
    {
        var rows = new List<JournalEntry>();
        void Add(string kind, int step, string? execution, string? worker, int attempt, string? detail) =>
            rows.Add(new JournalEntry(rows.Count + 1, kind, kind is JournalKind.Kill or JournalKind.WorkerStarted ? null : Instance, step,
                step == 0 ? null : (step - 1).ToString(CultureInfo.InvariantCulture), attempt, execution, worker, 100L * (rows.Count + 1), detail));
        string Key(int step) => JournaledStepActivity.DeduplicationKey(Instance, step - 1);

        Add(JournalKind.WorkerStarted, 0, null, "worker-1", 0, "synthetic");
        Add(JournalKind.Started, 1, "e1", "worker-1", 1, Key(1));
        Add(JournalKind.Completed, 1, "e1", "worker-1", 1, StepJournal.EffectApplied);
        Add(JournalKind.Started, 2, "e2", "worker-1", 1, Key(2));
        Add(JournalKind.Kill, 0, null, "worker-1", 0, "synthetic");
        Add(JournalKind.WorkerStarted, 0, null, "worker-2", 0, "synthetic");
        if (completedStepRunsAgain)
        {
            Add(JournalKind.Started, 1, "e3", "worker-2", 2, Key(1));
            Add(JournalKind.Completed, 1, "e3", "worker-2", 2, StepJournal.EffectDeduplicated);
        }

        Add(JournalKind.Started, 2, "e4", "worker-2", 2, Key(2));
        Add(JournalKind.Completed, 2, "e4", "worker-2", 2, StepJournal.EffectApplied);
        Add(JournalKind.Result, 0, null, null, 0, "synthetic");
        var expected = StepsSurviveWorkerKillOrchestration.Expected(0, Steps);
        var activities = AzureStorageKillProtocol.ParseHistory(History());
        return new KillRunObservation(
            Seed: 7,
            Steps: Steps,
            Schedule: [new PlannedKill(1, 0)],
            Journal: rows,
            Workflows: [new WorkflowOutcome(0, Instance, expected, expected, null, activities.Count, activities)],
            HistoryRecordsAttempts: false);
    }

    /// <summary>The final history as GetOrchestrationHistoryAsync returns it: events with numeric EventType, task ids as EventId.</summary>
    private static string History()
    {
        string Event(EventType type, int eventId, int? scheduledId = null) =>
            string.Create(CultureInfo.InvariantCulture, $"{{\"EventType\":{(int)type},\"EventId\":{eventId}{(scheduledId is { } id ? $",\"TaskScheduledId\":{id}" : string.Empty)}}}");
        return "[" + string.Join(",", new[]
        {
            Event(EventType.OrchestratorStarted, -1),
            Event(EventType.ExecutionStarted, -1),
            Event(EventType.TaskScheduled, 0),
            Event(EventType.OrchestratorCompleted, -1),
            Event(EventType.OrchestratorStarted, -1),
            Event(EventType.TaskCompleted, -1, 0),
            Event(EventType.TaskScheduled, 1),
            Event(EventType.OrchestratorCompleted, -1),
            Event(EventType.OrchestratorStarted, -1),
            Event(EventType.TaskCompleted, -1, 1),
            Event(EventType.ExecutionCompleted, -1),
        }) + "]";
    }
}
