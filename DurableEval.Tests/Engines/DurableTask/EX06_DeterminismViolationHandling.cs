using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using NonDeterministic = DurableTask.Core.Exceptions.NonDeterministicOrchestrationException;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("EX-06", Engine = "durabletask")]
    public async Task EX06_DeterminismViolationHandling()
    {
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("unchanged-code-replays", "Control: an orchestration whose code does not change between executions replays and completes, each step run once"),
                Core("changed-code-detected", "An orchestration whose replay schedules step B where its history recorded step A fails with NonDeterministicOrchestrationException naming the recorded activity and position"),
                Core("run-not-corrupted", "The changed path does not run: step B never executes and no later step is scheduled"),
                Edge("changed-input-detected", "A replay that calls the same activity with a different input is detected too"),
                Core("task-retried", "The failed replay is retried (the instance stays open for a fixed deployment) rather than ending the run"),
            ],
            RegisterDeterminism,
            async (block, checks) =>
            {
                var stable = await block.StartAsync("EX-06", nameof(ReplayStableOrchestrator), "x");
                var stableDone = await block.CompletionAsync(stable);
                checks.Expect(
                    "unchanged-code-replays",
                    stableDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && block.Log.Count(stable, "A") == 1 && block.Log.Count(stable, "C") == 1,
                    $"status {stableDone.RuntimeStatus}, output {stableDone.SerializedOutput}; step A ran {block.Log.Count(stable, "A")} time(s), C {block.Log.Count(stable, "C")}");

                var diverging = await block.StartAsync("EX-06", nameof(ReplayDivergingOrchestrator), "x");
                var done = await block.CompletionAsync(diverging);
                var failure = done.FailureDetails;
                checks.Expect(
                    "changed-code-detected",
                    failure?.ErrorType == typeof(NonDeterministic).FullName
                        && failure?.ErrorMessage.Contains("'RecordedStepActivity'", StringComparison.Ordinal) == true
                        && failure?.ErrorMessage.Contains("sequence number 0", StringComparison.Ordinal) == true,
                    $"status {done.RuntimeStatus}; failure {failure?.ErrorType}: {failure?.ErrorMessage}");
                checks.Expect(
                    "run-not-corrupted",
                    block.Log.Count(diverging, "B") == 0 && block.Log.Count(diverging, "C") == 0 && block.Log.Count(diverging, "A") == 1,
                    $"step A ran {block.Log.Count(diverging, "A")} time(s), the changed step B {block.Log.Count(diverging, "B")}, the next step C {block.Log.Count(diverging, "C")}");
                checks.Expect(
                    "task-retried",
                    done.RuntimeStatus != OrchestrationRuntimeStatus.Failed,
                    $"the instance ended {done.RuntimeStatus} (a failed instance cannot be resumed by a fixed deployment)");

                var inputChanged = await block.StartAsync("EX-06", nameof(ReplayInputChangingOrchestrator), "x");
                var inputDone = await block.CompletionAsync(inputChanged);
                checks.Expect(
                    "changed-input-detected",
                    inputDone.FailureDetails?.ErrorType == typeof(NonDeterministic).FullName,
                    $"status {inputDone.RuntimeStatus}, output {inputDone.SerializedOutput}; failure {inputDone.FailureDetails?.ErrorType}: replay compares activity names and positions, not inputs");
            });
        fact.Conclude();
    }

    private static void RegisterDeterminism(Microsoft.DurableTask.DurableTaskRegistry tasks)
    {
        tasks.AddOrchestrator<ReplayStableOrchestrator>();
        tasks.AddOrchestrator<ReplayDivergingOrchestrator>();
        tasks.AddOrchestrator<ReplayInputChangingOrchestrator>();
        tasks.AddActivity<RecordedStepActivity>();
        tasks.AddActivity<OtherStepActivity>();
    }
}
