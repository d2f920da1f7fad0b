using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.DurableTask.AzureStorage;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Serializing;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>A finished Durable Task worker-kill run: what the oracles judged, how long it took, how its workers connected.</summary>
public sealed record AzureStorageKillRun(KillRunObservation Observation, TimeSpan Elapsed, int WorkerProcesses, string WorkerConnection)
{
    public KillRunVerdicts Verdicts { get; } = ReliabilityOracles.Evaluate(Observation);
}

/// <summary>
/// The worker-kill protocol (<see cref="KillDriver"/>, the loop Temporal's <see cref="KillProtocol"/> uses) on the Durable
/// Task Framework's Azure Storage provider: a fresh task hub, N orchestrations of K journaled steps run by a
/// DurableEval.Worker process (--host durabletask) that is SIGKILLed mid-step per the seeded schedule, a fresh process
/// after each kill, and the final histories read back from the task hub. Every worker process is killed and the task
/// hub deleted on the way out, whatever happened.
/// </summary>
public static class AzureStorageKillProtocol
{
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(200);

    public static async Task<AzureStorageKillRun> RunAsync(StorageEndpoint storage, KillProtocolOptions options, Action<string> log, CancellationToken cancellation)
    {
        var seed = options.Seed ?? Random.Shared.Next();
        var schedule = KillSchedule.Plan(seed, options.Kills, options.TotalSteps, options.MaxKillDelayMilliseconds);
        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-ledger-{Guid.NewGuid():N}.db");

        // Task hub names are letters and digits, starting with a letter, at most 45 characters.
        var hub = $"dekill{Guid.NewGuid():N}"[..22];
        var connection = new AzureStorageConnection(storage.ConnectionString, hub);
        var workers = new List<WorkerProcess>();
        var clock = Stopwatch.StartNew();
        log($"durable task kill protocol: {options.Workflows} orchestrations x {options.Steps} steps, {schedule.Count} kills after "
            + $"{string.Join("/", schedule.Select(k => k.AfterCompletedSteps))} completed steps, seed {seed}; workers connect to {connection.Describe()}");

        WorkerProcess StartWorker()
        {
            var worker = WorkerProcess.Start(new WorkerLaunch(connection, hub, ledger, Cache: false, $"worker-{workers.Count + 1}", Host: ["--host", "durabletask"]));
            workers.Add(worker);
            return worker;
        }

        var service = new AzureStorageOrchestrationService(AzureStorageHub.Settings(connection, "test-client"));
        var journal = StepJournal.Open(ledger);
        try
        {
            await service.CreateIfNotExistsAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellation);
            log($"task hub {hub} created at {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
            var client = new TaskHubClient(service);
            StartWorker();
            var (outcomes, stall, exit) = await KillDriver.DriveAsync(
                new DurableTaskKillEngine(client, options, journal), options, schedule, journal, StartWorker, () => workers[^1], workers, log, cancellation);

            var counted = new List<WorkflowOutcome>();
            foreach (var outcome in outcomes)
            {
                var (activities, error) = await HistoryActivitiesAsync(client, outcome.WorkflowId, cancellation);
                if (error is not null)
                {
                    log($"history of {outcome.WorkflowId} not read: {error}");
                }

                counted.Add(outcome with { ScheduledActivities = activities?.Count, Activities = activities });
            }

            LogRepeats(journal.ReadAll(), log);
            var observation = new KillRunObservation(seed, options.Steps, schedule, journal.ReadAll(), counted, stall, exit, HistoryRecordsAttempts: false);
            log($"durable task kill protocol finished in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s with {workers.Count} worker processes");
            return new AzureStorageKillRun(observation, clock.Elapsed, workers.Count, connection.Describe());
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            journal.Dispose();
            foreach (var file in new[] { ledger, ledger + "-wal", ledger + "-shm" })
            {
                File.Delete(file);
            }

            try
            {
                await service.DeleteAsync().WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The hub lives in this run's Azurite data directory, deleted with it; a leftover only costs space.
                log($"task hub {hub} not deleted: {e.GetType().Name}");
            }
        }
    }

    /// <summary>Every step that ran more than once, with where and when each execution ran and the kills: the oracles' raw material, for a reader.</summary>
    private static void LogRepeats(IReadOnlyList<JournalEntry> rows, Action<string> log)
    {
        var kills = rows.Where(r => r.Kind == JournalKind.Kill).Select(r => $"{r.Worker}@{r.Seq.ToString(CultureInfo.InvariantCulture)}").ToList();
        var completed = rows.Where(r => r.Kind == JournalKind.Completed).GroupBy(r => r.Execution).ToDictionary(g => g.Key ?? string.Empty, g => g.First().Seq);
        foreach (var step in rows.Where(r => r.Kind == JournalKind.Started).GroupBy(r => (r.WorkflowId, r.Step)).Where(g => g.Count() > 1))
        {
            log($"repeated: {step.Key.WorkflowId?[^12..]} step {step.Key.Step}: "
                + string.Join(", ", step.Select(r => $"task {r.ActivityId} attempt {r.Attempt} on {r.Worker} started @{r.Seq.ToString(CultureInfo.InvariantCulture)} completed @{(completed.TryGetValue(r.Execution ?? string.Empty, out var c) ? c.ToString(CultureInfo.InvariantCulture) : "never")}"))
                + $"; kills {string.Join(", ", kills)}");
        }
    }

    /// <summary>
    /// Each TaskScheduled of the final history as a <see cref="HistoryActivity"/>: the activity id is the task's event id
    /// (the TaskContext.TaskId the activity saw), event positions stand in for event ids, and there is no started
    /// attempt (Durable Task writes no activity-started event). Null when the history cannot be read.
    /// </summary>
    internal static async Task<(IReadOnlyList<HistoryActivity>? Activities, string? Error)> HistoryActivitiesAsync(TaskHubClient client, string instanceId, CancellationToken cancellation)
    {
        try
        {
            // The history call needs the execution id, which the instance's state carries.
            var state = await client.GetOrchestrationStateAsync(new OrchestrationInstance { InstanceId = instanceId }).WaitAsync(TimeSpan.FromSeconds(20), cancellation);
            if (state?.OrchestrationInstance is not { } instance)
            {
                return (null, "the task hub has no state for it");
            }

            var json = await client.GetOrchestrationHistoryAsync(instance).WaitAsync(TimeSpan.FromSeconds(20), cancellation);
            return (ParseHistory(json), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return (null, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Reads the history JSON GetOrchestrationHistoryAsync returns (EventType as a number or a name).</summary>
    internal static IReadOnlyList<HistoryActivity> ParseHistory(string json)
    {
        using var document = JsonDocument.Parse(json);
        var events = document.RootElement.EnumerateArray().Select((e, i) => (Position: (long)i + 1, Type: TypeOf(e), Event: e)).ToList();
        var completed = events.Where(e => e.Type == EventType.TaskCompleted)
            .GroupBy(e => e.Event.GetProperty("TaskScheduledId").GetInt32())
            .ToDictionary(g => g.Key, g => g.First().Position);
        return events.Where(e => e.Type == EventType.TaskScheduled)
            .Select(e =>
            {
                var id = e.Event.GetProperty("EventId").GetInt32();
                return new HistoryActivity(id.ToString(CultureInfo.InvariantCulture), e.Position, null, completed.TryGetValue(id, out var at) ? at : null);
            })
            .ToList();
    }

    private static EventType? TypeOf(JsonElement e) =>
        !e.TryGetProperty("EventType", out var type) ? null
            : type.ValueKind == JsonValueKind.Number ? (EventType)type.GetInt32()
            : Enum.TryParse<EventType>(type.GetString(), out var named) ? named : null;

    /// <summary>Durable Task's side of the protocol: starts the orchestrations, polls their status, describes open ones.</summary>
    private sealed class DurableTaskKillEngine(TaskHubClient client, KillProtocolOptions options, StepJournal journal) : IKillEngine
    {
        public async Task<IReadOnlyList<KillInstance>> StartAsync(CancellationToken cancellation)
        {
            var run = Guid.NewGuid().ToString("N")[..12];
            var instances = await Task.WhenAll(Enumerable.Range(0, options.Workflows).Select(i => client.CreateOrchestrationInstanceAsync(
                StepsSurviveWorkerKillOrchestration.Name,
                StepsSurviveWorkerKillOrchestration.Version,
                $"de-dtkill-{run}-w{i.ToString(CultureInfo.InvariantCulture)}",
                new KillRunInput(i, options.Steps, options.WorkMilliseconds, (int)options.StepTimeout.TotalMilliseconds))));
            return instances.Select((instance, i) => new KillInstance(instance.InstanceId, stop => WaitAsync(instance, i, stop))).ToList();
        }

        public async Task<IReadOnlyList<string>> DescribeOpenAsync(IReadOnlyList<string> open, CancellationToken cancellation)
        {
            var described = new List<string>();
            foreach (var id in open)
            {
                try
                {
                    var state = await client.GetOrchestrationStateAsync(new OrchestrationInstance { InstanceId = id }).WaitAsync(TimeSpan.FromSeconds(5), cancellation);
                    described.Add(state is null ? $"{id[^12..]}: no state" : $"{id[^12..]}: {state.OrchestrationStatus}, last updated {state.LastUpdatedTime:HH:mm:ss.fff}");
                }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                {
                    described.Add($"{id[^12..]}: describe failed ({e.GetType().Name})");
                }
            }

            return described;
        }

        // Polled, because the provider's own wait polls its instance table on a slower fixed interval; the result's
        // arrival is the last step's "recorded" mark in the journal, so it is taken as soon as the status shows it.
        private async Task<WorkflowOutcome> WaitAsync(OrchestrationInstance instance, int index, CancellationToken stop)
        {
            var expected = StepsSurviveWorkerKillOrchestration.Expected(index, options.Steps);
            string? lastError = null;
            try
            {
                while (true)
                {
                    try
                    {
                        var state = await client.GetOrchestrationStateAsync(instance).WaitAsync(TimeSpan.FromSeconds(10), stop);
                        switch (state?.OrchestrationStatus)
                        {
                            case OrchestrationStatus.Completed:
                                var result = JsonDataConverter.Default.Deserialize<string>(state.Output);
                                journal.ResultReceived(instance.InstanceId, result);
                                return new WorkflowOutcome(index, instance.InstanceId, expected, result, null);
                            case OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled:
                                return new WorkflowOutcome(index, instance.InstanceId, expected, null, $"{state.OrchestrationStatus}: {state.Output}");
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
                    {
                        // A storage call failing under load is retried on the next poll; the stuck detector bounds the wait.
                        lastError = $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
                    }

                    await Task.Delay(StatusPoll, stop);
                }
            }
            catch (OperationCanceledException)
            {
                return new WorkflowOutcome(index, instance.InstanceId, expected, null, "the wait was cancelled before the orchestration completed" + (lastError is null ? string.Empty : $" (last status error: {lastError})"));
            }
        }
    }
}
