using Temporalio.Activities;

namespace DurableEval.Workflows.Shared;

/// <summary>
/// Steps that record themselves in the external <see cref="StepJournal"/>: the start of every raw execution
/// (with the attempt number and deduplication key the platform gave it), then, after a little real work time, the idempotent effect (keyed by workflow id + activity id) together with
/// the completion. A worker killed between the two leaves a started-but-not-completed row: work in flight.
/// </summary>
public sealed class JournaledStepActivities(StepJournal journal, string worker)
{
    [Activity]
    public async Task<string> StepAsync(StepRequest request)
    {
        var context = ActivityExecutionContext.Current;
        var info = context.Info;
        var workflowId = info.WorkflowId ?? "standalone";
        var execution = Guid.NewGuid().ToString("N");
        var key = LedgerActivities.DeduplicationKey(info);
        journal.Started(workflowId, request.Step, info.ActivityId, info.Attempt, execution, worker, key);

        // Real time even on the time-skipping server (a running activity locks skipping): kills land mid-step.
        await Task.Delay(request.WorkMilliseconds, context.CancellationToken).ConfigureAwait(false);

        journal.CompleteWithEffect(workflowId, request.Step, info.ActivityId, info.Attempt, execution, worker, key);
        return StepResult(request.Index, request.Step);
    }

    /// <summary>What step <paramref name="step"/> of workflow number <paramref name="index"/> returns.</summary>
    public static string StepResult(int index, int step) => $"w{index}s{step}";
}

/// <summary>One step of one workflow of the protocol; <see cref="WorkMilliseconds"/> is the step's real work time.</summary>
public sealed record StepRequest(int Index, int Step, int WorkMilliseconds);
