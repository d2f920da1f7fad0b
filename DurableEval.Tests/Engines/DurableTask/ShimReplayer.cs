using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging.Abstractions;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>One history to replay: its id and events.</summary>
public sealed record ReplayHistory(string Id, IReadOnlyList<HistoryEvent> Events);

/// <summary>What replaying one history gave: the completion's status and output, or the failure that stopped it.</summary>
public sealed record ShimReplayOutcome(string Id, OrchestrationStatus? Status, string? Output, string? Failure)
{
    public bool Passed => Failure is null && Status == OrchestrationStatus.Completed;
}

/// <summary>
/// A local replayer assembled from public pieces, since Microsoft.DurableTask has none: the worker's public shim
/// factory wraps an orchestrator class as a DTFx orchestration, and DTFx's public TaskOrchestrationExecutor replays a
/// history through it, exactly what a worker does with a work item, without a host, a sidecar or a network.
/// </summary>
public sealed class ShimReplayer(TaskName name, Func<ITaskOrchestrator> orchestrator)
{
    private readonly DurableTaskShimFactory shims = new(new DurableTaskWorkerOptions(), NullLoggerFactory.Instance);

    public ShimReplayOutcome Replay(ReplayHistory history)
    {
        try
        {
            var orchestration = shims.CreateOrchestration(name, orchestrator(), parent: null);
            var executor = new TaskOrchestrationExecutor(new OrchestrationRuntimeState(history.Events.ToList()), orchestration, BehaviorOnContinueAsNew.Carryover, ErrorPropagationMode.UseFailureDetails);
            var result = executor.Execute();
            var complete = result.Actions.OfType<OrchestrationCompleteOrchestratorAction>().FirstOrDefault();
            if (complete is null)
            {
                return new ShimReplayOutcome(history.Id, null, null, $"no completion after the whole history ({result.Actions.Count()} new action(s): {string.Join(", ", result.Actions.Select(a => a.OrchestratorActionType))})");
            }

            var failure = complete.OrchestrationStatus == OrchestrationStatus.Failed
                ? $"{complete.FailureDetails?.ErrorType}: {complete.FailureDetails?.ErrorMessage ?? complete.Result}"
                : null;
            return new ShimReplayOutcome(history.Id, complete.OrchestrationStatus, complete.Result, failure);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ShimReplayOutcome(history.Id, null, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// The history a fan-out of <paramref name="branches"/> squaring activities leaves: started with its input, all
    /// branches scheduled in one episode, then each branch's result. <paramref name="activityName"/> tampers with it.
    /// </summary>
    public static ReplayHistory FanOutHistory(string id, int branches, string activityName = nameof(Workflows.DurableTask.SquareBranchActivity))
    {
        var converter = new DurableTaskWorkerOptions().DataConverter;
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var events = new List<HistoryEvent>
        {
            new OrchestratorStartedEvent(-1) { Timestamp = at },
            new ExecutionStartedEvent(-1, converter.Serialize(new Workflows.DurableTask.FanOutRequest(branches, 0, 0)))
            {
                Name = nameof(Workflows.DurableTask.FanOutOrchestrator),
                Version = string.Empty,
                OrchestrationInstance = new OrchestrationInstance { InstanceId = id, ExecutionId = "1" },
                Timestamp = at,
            },
        };
        for (var i = 0; i < branches; i++)
        {
            events.Add(new TaskScheduledEvent(i, activityName, string.Empty, null) { Timestamp = at });
        }

        events.Add(new OrchestratorCompletedEvent(-1) { Timestamp = at });
        events.Add(new OrchestratorStartedEvent(-1) { Timestamp = at.AddSeconds(1) });
        for (var i = 0; i < branches; i++)
        {
            events.Add(new TaskCompletedEvent(-1, i, converter.Serialize((i + 1) * (i + 1))) { Timestamp = at.AddSeconds(1) });
        }

        return new ReplayHistory(id, events);
    }

    /// <summary>The output a fan-out of <paramref name="branches"/> must complete with, computed from its branches' results.</summary>
    public static string FanOutOutput(int branches) =>
        new DurableTaskWorkerOptions().DataConverter.Serialize(new Workflows.DurableTask.FanOutResult(
            Enumerable.Range(1, branches).Select(b => (b * b).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList()))!;
}
