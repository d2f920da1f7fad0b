using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.RetryTimeout;

/// <summary>
/// Runs one activity that fails as scripted under the retry policy in the plan, and lets its outcome (result or
/// failure with retry state) reach the caller unchanged, so a fact can compare attempts and gaps with the policy.
/// </summary>
[Workflow]
public class RetriesByPolicyWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(RetryPlan plan) =>
        Workflow.ExecuteActivityAsync(
            (ScriptedFailureActivities a) => a.FailAsScripted(plan.Script),
            new()
            {
                StartToCloseTimeout = TimeSpan.FromSeconds(30),
                RetryPolicy = new RetryPolicy
                {
                    InitialInterval = plan.InitialInterval,
                    BackoffCoefficient = plan.BackoffCoefficient,
                    MaximumInterval = plan.MaximumInterval,
                    MaximumAttempts = plan.MaximumAttempts,
                    NonRetryableErrorTypes = plan.NonRetryableErrorTypes ?? [],
                },
            });
}

/// <summary>A retry policy to run under (MaximumAttempts 0 is unlimited) and how the activity fails.</summary>
public sealed record RetryPlan(
    FailureScript Script,
    TimeSpan InitialInterval,
    float BackoffCoefficient = 2,
    TimeSpan? MaximumInterval = null,
    int MaximumAttempts = 0,
    IReadOnlyList<string>? NonRetryableErrorTypes = null);

/// <summary>Attempts before <see cref="SucceedOnAttempt"/> throw (0: every attempt throws) with this error.</summary>
public sealed record FailureScript(
    int SucceedOnAttempt,
    string ErrorType = FailureScript.Transient,
    bool NonRetryable = false,
    TimeSpan? NextRetryDelay = null)
{
    public const string Transient = "TransientFault";
}

/// <summary>An activity whose failures are scripted, journaling every attempt it makes.</summary>
public sealed class ScriptedFailureActivities(AttemptJournal journal)
{
    [Activity]
    public string FailAsScripted(FailureScript script)
    {
        var info = ActivityExecutionContext.Current.Info;
        journal.Record(info);
        if (script.SucceedOnAttempt == 0 || info.Attempt < script.SucceedOnAttempt)
        {
            throw new ApplicationFailureException(
                $"attempt {info.Attempt} failed as scripted", script.ErrorType, script.NonRetryable, nextRetryDelay: script.NextRetryDelay);
        }

        return $"succeeded on attempt {info.Attempt}";
    }
}
