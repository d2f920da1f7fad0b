using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Compensation;

/// <summary>Steps to run; step <see cref="FlakyStep"/> fails its first <see cref="Failures"/> attempts.</summary>
public sealed record ResumePlan(int Steps, int FlakyStep, int Failures);

/// <summary>
/// Sequential steps, each an activity retried on failure. Completed steps are memoized in history, so a failure
/// (of an activity, or of the workflow code itself) resumes at the failed step instead of starting over.
/// </summary>
[Workflow(TypeName)]
public class ResumableStepsWorkflow
{
    public const string TypeName = "ResumableSteps";

    [WorkflowQuery]
    public int Completed { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync(ResumePlan plan)
    {
        var results = new List<string>();
        for (var step = 1; step <= plan.Steps; step++)
        {
            var current = step;
            results.Add(await Workflow.ExecuteActivityAsync((ResumeActivities a) => a.Step(current, plan), Options));
            Completed = current;
        }

        return string.Join(",", results);
    }

    internal static ActivityOptions Options => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        RetryPolicy = new() { InitialInterval = TimeSpan.FromMilliseconds(100), BackoffCoefficient = 1 },
    };
}

/// <summary>
/// The same workflow type with a bug in the workflow code at the flaky step: its workflow task fails (the run
/// stays open) until a worker with the fixed code picks it up.
/// </summary>
[Workflow(ResumableStepsWorkflow.TypeName)]
public class ResumableStepsWithBug
{
    [WorkflowQuery]
    public int Completed { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync(ResumePlan plan)
    {
        var results = new List<string>();
        for (var step = 1; step <= plan.Steps; step++)
        {
            if (step == plan.FlakyStep)
            {
                throw new InvalidOperationException($"bug in the workflow code before step {step}");
            }

            var current = step;
            results.Add(await Workflow.ExecuteActivityAsync((ResumeActivities a) => a.Step(current, plan), ResumableStepsWorkflow.Options));
            Completed = current;
        }

        return string.Join(",", results);
    }
}

/// <summary>Counts every execution of each step by workflow id, from outside the workflow.</summary>
public sealed class ResumeActivities(InvocationCounter counter)
{
    public static string Key(string workflowId, int step) => $"{workflowId}/step-{step}";

    [Activity]
    public string Step(int step, ResumePlan plan)
    {
        var info = ActivityExecutionContext.Current.Info;
        counter.Increment(Key(info.WorkflowId ?? "standalone", step));
        if (step == plan.FlakyStep && info.Attempt <= plan.Failures)
        {
            throw new ApplicationFailureException($"step {step} attempt {info.Attempt} failed", "Transient");
        }

        return $"s{step}";
    }
}
