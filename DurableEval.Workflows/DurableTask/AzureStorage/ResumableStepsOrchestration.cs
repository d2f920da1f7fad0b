using System.Globalization;
using DurableEval.Workflows.Compensation;
using DurableEval.Workflows.Shared;
using DurableTask.Core;

namespace DurableEval.Workflows.DurableTask.AzureStorage;

/// <summary>
/// The Durable Task counterpart of Temporal's ResumableStepsWorkflow: steps in sequence, one of which fails a planned
/// number of times before it succeeds, retried by the orchestration's retry options (ScheduleWithRetry); the steps
/// before it must not run again while it is retried, and the steps after it follow it.
/// </summary>
public sealed class ResumableStepsOrchestration : TaskOrchestration<string, ResumePlan>
{
    public const string Name = "ResumableSteps";
    public const string Version = "";

    /// <summary>The wait before each retry: a durable timer, real time on this provider, kept short.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);

    public override async Task<string> RunTask(OrchestrationContext context, ResumePlan input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var retry = new RetryOptions(RetryInterval, input.Failures + 1) { BackoffCoefficient = 1 };
        var results = new List<string>();
        for (var step = 1; step <= input.Steps; step++)
        {
            results.Add(await context.ScheduleWithRetry<string>(FlakyStepActivity.Name, FlakyStepActivity.Version, retry, new FlakyStepRequest(step, input.FlakyStep, input.Failures)));
        }

        return string.Join(",", results);
    }
}

/// <summary>One step of <see cref="ResumableStepsOrchestration"/>: which it is, which step is flaky and how often it fails.</summary>
public sealed record FlakyStepRequest(int Step, int FlakyStep, int Failures);

/// <summary>Counts its executions per (instance, step) outside the engine's state; the flaky step throws on its first executions.</summary>
public sealed class FlakyStepActivity(InvocationCounter counter) : TaskActivity<FlakyStepRequest, string>
{
    public const string Name = "FlakyStep";
    public const string Version = "";

    public static string Key(string instanceId, int step) => $"{instanceId}/{step.ToString(CultureInfo.InvariantCulture)}";

    protected override string Execute(TaskContext context, FlakyStepRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var execution = counter.Increment(Key(context.OrchestrationInstance.InstanceId, input.Step));
        return input.Step == input.FlakyStep && execution <= input.Failures
            ? throw new InvalidOperationException($"step {input.Step} fails on execution {execution} of a planned {input.Failures} failures")
            : $"s{input.Step.ToString(CultureInfo.InvariantCulture)}";
    }
}
