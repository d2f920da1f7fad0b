using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Compensation;
using DurableEval.Workflows.Shared;
using RawExecution = Temporalio.Api.Common.V1.WorkflowExecution;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class CompensationFacts
{
    private static readonly ResumePlan FlakyStepPlan = new(Steps: 5, FlakyStep: 3, Failures: 2);

    [SkippableFact]
    [Criterion("CP-02")]
    public async Task CP02_PartialResume()
    {
        var plan = FlakyStepPlan;
        var expectedCounts = ExpectedExecutions(plan, plan.Failures);
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("completed-steps-not-rerun", $"With step {plan.FlakyStep} failing {plan.Failures} times, executions per step are {string.Join(",", expectedCounts)}"),
                Core("resumes-at-failed-step", $"History schedules each step once; step {plan.FlakyStep} completes on attempt {plan.Failures + 1} and the later steps follow it"),
                Core("resumes-after-code-fix", $"A run whose workflow code fails before step {plan.FlakyStep} stays open; a worker with the fixed code finishes it without re-running steps 1..{plan.FlakyStep - 1}"),
            ],
            async (server, checks) =>
            {
                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("resume");
                var activities = new ResumeActivities(counter);
                IReadOnlyList<int> Counts(string id) => Enumerable.Range(1, plan.Steps).Select(s => counter[ResumeActivities.Key(id, s)]).ToList();

                await using (var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ResumableStepsWorkflow>().AddAllActivities(activities)))
                {
                    var handle = await server.Client.StartWorkflowAsync((ResumableStepsWorkflow w) => w.RunAsync(plan), server.Options("flaky", queue));
                    var result = await handle.GetResultAsync();
                    var counts = Counts(handle.Id);
                    checks.Expect(
                        "completed-steps-not-rerun",
                        counts.SequenceEqual(expectedCounts) && result == Expected(plan),
                        $"executions per step {string.Join(",", counts)} (expected {string.Join(",", expectedCounts)}); result {result}");

                    var history = await handle.FetchHistoryAsync();
                    var scheduled = ActivityEvents.Scheduled(history);
                    var flakyStarted = history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskStarted
                        && e.ActivityTaskStartedEventAttributes.ScheduledEventId == scheduled.ElementAtOrDefault(plan.FlakyStep - 1)?.EventId);
                    var ordered = scheduled.Select(e => e.EventId).Zip(scheduled.Select(e => e.EventId).Skip(1), (a, b) => a < b).All(x => x);
                    checks.Expect(
                        "resumes-at-failed-step",
                        scheduled.Count == plan.Steps && flakyStarted?.ActivityTaskStartedEventAttributes.Attempt == plan.Failures + 1 && ordered,
                        $"{scheduled.Count} ActivityTaskScheduled for {plan.Steps} steps; step {plan.FlakyStep} started on attempt {flakyStarted?.ActivityTaskStartedEventAttributes.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never"}");
                }

                // The bug variant: the buggy worker has no cache so its stopped sticky queue cannot strand the run.
                var bugQueue = server.NewTaskQueue("bug");
                var buggy = RunningWorker.Start(server.Client, new TemporalWorkerOptions(bugQueue) { MaxCachedWorkflows = 0 }.AddWorkflow<ResumableStepsWithBug>().AddAllActivities(activities));
                var noFlaky = plan with { Failures = 0 };
                var bugOptions = server.Options("bug", bugQueue);

                // A task the buggy worker held when it stopped is handed to the fixed worker only when it times out
                // (10 s by default, all of it waiting); 2 s still far exceeds a task's work on a loaded machine, and
                // a task that did time out early would only be retried, never re-run a completed step.
                bugOptions.TaskTimeout = TimeSpan.FromSeconds(2);
                server.ExpectTaskFailures(bugOptions.Id!);
                var broken = await server.Client.StartWorkflowAsync((ResumableStepsWithBug w) => w.RunAsync(noFlaky), bugOptions);
                var taskFailure = await HistoryProbe.WorkflowTaskFailureAsync(broken, Observe.Bound);
                var statusWithBug = (await broken.DescribeAsync()).Status;
                var countsWithBug = Counts(broken.Id);
                await buggy.DisposeAsync();

                await using var fixedWorker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(bugQueue).AddWorkflow<ResumableStepsWorkflow>().AddAllActivities(activities));
                var clock = Stopwatch.StartNew();
                var fixedResult = await Observe.FailureOfAsync(() => broken.GetResultAsync());
                fact.Metric("resume_after_fix_ms", clock.Elapsed.TotalMilliseconds, "ms");
                var countsFixed = Counts(broken.Id);
                var expectedFixed = ExpectedExecutions(noFlaky, 0);
                checks.Expect(
                    "resumes-after-code-fix",
                    taskFailure is not null && statusWithBug == WorkflowExecutionStatus.Running
                        && countsWithBug.SequenceEqual(Enumerable.Range(1, plan.Steps).Select(s => s < plan.FlakyStep ? 1 : 0))
                        && fixedResult is null && countsFixed.SequenceEqual(expectedFixed),
                    $"with the bug: WorkflowTaskFailed \"{taskFailure ?? "none within the bound"}\", run {statusWithBug}, executions {string.Join(",", countsWithBug)}; after the fix: {(fixedResult is null ? "completed" : Observe.DescribeChain(fixedResult))}, executions {string.Join(",", countsFixed)} (expected {string.Join(",", expectedFixed)})");
            });

        // The crash variant: the worker is a separate process killed hard mid-step (Reliability/KillProtocol, as EX-01
        // uses it, smaller); the server's record of completed steps, not the worker, decides what runs again.
        var crash = new KillProtocolOptions { Workflows = 10, Steps = 5, Kills = 1 };
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("crash-resume", $"{crash.Workflows} workflows of {crash.Steps} steps finish after their worker process is killed hard mid-step; no step the server had recorded before the kill runs again, and the final histories hold every recorded step; re-executions keep their deduplication key and the history's attempt numbers"),
            ],
            async (server, checks) =>
            {
                var run = await KillProtocol.RunAsync(server, crash with { Cache = false }, Output.WriteLine, checks.Cancellation);
                var v = run.Verdicts;
                var combined = OracleVerdict.AllOf(v.AllComplete, v.CompletedStepsNotRerun, v.EffectsOnce);
                // A worker that could not start or died by itself ended the run: its reason leads, the kill counts say nothing.
                (run.Observation.WorkerExit is not null ? v.AllComplete
                    : combined with { Evidence = $"seed {run.Observation.Seed}, {v.Metrics.KillsLanded} of {v.Metrics.KillsTaken} kills landed, {v.Metrics.InFlightStepsHit} steps in flight hit: {combined.Evidence}" })
                    .RecordAs(checks, "crash-resume");
                fact.Metric("crash_kills_landed", v.Metrics.KillsLanded, "count");
                fact.Metric("crash_in_flight_steps_hit", v.Metrics.InFlightStepsHit, "count");
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [Edge("reset-reruns-later-steps", $"Reset (raw ResetWorkflowExecution RPC) to the workflow task after step {plan.FlakyStep - 1} re-runs only steps {plan.FlakyStep}..{plan.Steps} in a new run")],
            async (server, checks) =>
            {
                if (!await checks.RequireAsync(server, ServerFeature.Reset, Output.WriteLine))
                {
                    return;
                }

                var counter = new InvocationCounter();
                var queue = server.NewTaskQueue("reset");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<ResumableStepsWorkflow>().AddAllActivities(new ResumeActivities(counter)));
                var handle = await server.Client.StartWorkflowAsync((ResumableStepsWorkflow w) => w.RunAsync(plan), server.Options("reset", queue));
                await handle.GetResultAsync();
                var before = Enumerable.Range(1, plan.Steps).Select(s => counter[ResumeActivities.Key(handle.Id, s)]).ToList();

                // The reset point: the first workflow task completed after step (FlakyStep - 1) completed; it is the
                // task that scheduled step FlakyStep, so the new run re-issues that command and everything after.
                var history = await handle.FetchHistoryAsync();
                var lastKept = history.Events.Where(e => e.EventType == EventType.ActivityTaskCompleted).ElementAt(plan.FlakyStep - 2).EventId;
                var resetPoint = history.Events.First(e => e.EventType == EventType.WorkflowTaskCompleted && e.EventId > lastKept).EventId;
                var reset = await server.Client.Connection.WorkflowService.ResetWorkflowExecutionAsync(new ResetWorkflowExecutionRequest
                {
                    Namespace = server.Client.Options.Namespace,
                    WorkflowExecution = new RawExecution { WorkflowId = handle.Id, RunId = handle.ResultRunId },
                    WorkflowTaskFinishEventId = resetPoint,
                    Reason = "DurableEval: re-run from the flaky step",
                    RequestId = Guid.NewGuid().ToString(),
                });
                var newRun = server.Client.GetWorkflowHandle(handle.Id, reset.RunId);
                await newRun.GetResultAsync<string>();
                var after = Enumerable.Range(1, plan.Steps).Select(s => counter[ResumeActivities.Key(handle.Id, s)]).ToList();
                var delta = after.Zip(before, (a, b) => a - b).ToList();
                var expectedDelta = ExpectedExecutions(plan, plan.Failures).Select((n, i) => i + 1 < plan.FlakyStep ? 0 : n).ToList();
                checks.Expect(
                    "reset-reruns-later-steps",
                    reset.RunId != handle.ResultRunId && delta.SequenceEqual(expectedDelta),
                    $"reset to event {resetPoint} gave run {Observe.Short(reset.RunId)}; executions per step rose by {string.Join(",", delta)} (expected {string.Join(",", expectedDelta)})");
            });

        fact.Cite(
            "Completed activity results are recorded in the event history; after a failure or worker loss the workflow is replayed from history, so completed activities are not executed again and execution continues from where it left off.",
            "https://docs.temporal.io/workflow-execution#replays");
        fact.Conclude();
    }

    /// <summary>Executions per step: one each, plus the flaky step's failed attempts.</summary>
    private static IReadOnlyList<int> ExpectedExecutions(ResumePlan plan, int failures) =>
        Enumerable.Range(1, plan.Steps).Select(s => s == plan.FlakyStep ? failures + 1 : 1).ToList();

    private static string Expected(ResumePlan plan) => string.Join(",", Enumerable.Range(1, plan.Steps).Select(s => $"s{s}"));
}
