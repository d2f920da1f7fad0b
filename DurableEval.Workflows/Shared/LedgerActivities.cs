using Temporalio.Activities;
using Temporalio.Exceptions;

namespace DurableEval.Workflows.Shared;

/// <summary>Activities that write to the fact's ledger; an instance class so each fact injects its own ledger.</summary>
public sealed class LedgerActivities(StepLedger ledger)
{
    /// <summary>Runs a step: one raw execution, one effect deduplicated by workflow id + activity id.</summary>
    [Activity]
    public string Step(int step)
    {
        Execute(step);
        return $"s{step}";
    }

    /// <summary>Applies its effect, then fails on the first attempt: at-least-once delivery made visible.</summary>
    [Activity]
    public string EffectThenFailFirstAttempt(int step)
    {
        var info = Execute(step);
        if (info.Attempt == 1)
        {
            throw new ApplicationFailureException("failing after the effect, as a crash between effect and ack would", "AfterEffect");
        }

        return $"s{step}@attempt{info.Attempt}";
    }

    public static string StepName(int step) => $"step-{step}";

    private ActivityInfo Execute(int step)
    {
        var info = ActivityExecutionContext.Current.Info;
        ledger.RecordExecution(WorkflowIdOf(info), StepName(step));
        ledger.ApplyEffect(WorkflowIdOf(info), StepName(step), DeduplicationKey(info));
        return info;
    }

    /// <summary>Stable across attempts and replays: the workflow id plus the activity's id within the run.</summary>
    public static string DeduplicationKey(ActivityInfo info) => $"{WorkflowIdOf(info)}/{info.ActivityId}";

    // Null only for standalone activities, which these never are; the ledger still needs a key.
    private static string WorkflowIdOf(ActivityInfo info) => info.WorkflowId ?? "standalone";
}
