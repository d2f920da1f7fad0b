using System.Globalization;
using DurableEval.Workflows.Shared;
using DurableTask.Core;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// One journaled step, as <see cref="JournaledStepActivities"/> is for Temporal: the start of every raw execution
/// with what the platform handed it (the task id, unique within the orchestration, and the delivery attempt, the
/// queue message's dequeue count), a little real work, then the idempotent effect under the platform's stable key
/// (instance id + task id) together with the completion. A worker killed between the two leaves a started and
/// not completed row: work in flight.
/// </summary>
public sealed class JournaledStepActivity(StepJournal journal, string worker) : AsyncTaskActivity<StepRequest, string>
{
    public const string Name = "JournaledStep";
    public const string Version = "";

    /// <summary>The deduplication key Durable Task gives an activity: its instance id and the task id its orchestration scheduled it under.</summary>
    public static string DeduplicationKey(string instanceId, int taskId) => $"{instanceId}/{taskId.ToString(CultureInfo.InvariantCulture)}";

    protected override async Task<string> ExecuteAsync(TaskContext context, StepRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var instanceId = context.OrchestrationInstance.InstanceId;
        var activityId = context.TaskId.ToString(CultureInfo.InvariantCulture);
        var execution = Guid.NewGuid().ToString("N");
        var key = DeduplicationKey(instanceId, context.TaskId);

        // 0 when the provider reports no delivery attempt (the oracles then find no rising attempts and say so).
        var attempt = context.DeliveryAttempt is { } delivered ? (int)Math.Min(delivered, int.MaxValue) : 0;
        journal.Started(instanceId, input.Step, activityId, attempt, execution, worker, key);
        await Task.Delay(input.WorkMilliseconds).ConfigureAwait(false);
        journal.CompleteWithEffect(instanceId, input.Step, activityId, attempt, execution, worker, key);
        return JournaledStepActivities.StepResult(input.Index, input.Step);
    }
}
