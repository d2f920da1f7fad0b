using System.Diagnostics;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Execution;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class ExecutionSemanticsFacts
{
    [SkippableFact]
    [Criterion("EX-01")]
    public async Task EX01_ProgressGuarantee()
    {
        const int Workflows = 3;
        const int Steps = 3;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("all-complete", $"All {Workflows} workflows ({Steps} steps each) finish with the right result on a new worker after losing theirs mid-run"),
                Core("no-rerun", "Steps completed before the loss were not executed again"),
                Core("effects-once", "Every (workflow, step) ran once and applied its effect once (external ledger)"),
                Edge("histories-replay", "Every final history replays with the same code"),
                Production("hard-kill", "The same holds when the worker is a separate process killed hard mid-run"),
            ],
            async (server, checks) =>
            {
                var ledger = new StepLedger();
                var queue = server.NewTaskQueue("progress");

                // No workflow cache: the time-skipping server never moves work off a dead worker's sticky queue.
                TemporalWorkerOptions Options() => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
                    .AddWorkflow<WorkerLossResumesWorkflow>()
                    .AddAllActivities(new LedgerActivities(ledger));

                var first = RunningWorker.Start(server.Client, Options());
                var handles = new List<WorkflowHandle<WorkerLossResumesWorkflow, string>>();
                for (var i = 0; i < Workflows; i++)
                {
                    handles.Add(await server.Client.StartWorkflowAsync(
                        (WorkerLossResumesWorkflow w) => w.RunAsync(Steps), server.Options($"wf{i}", queue)));
                }

                var parked = await Eventually.HoldsAsync(
                    async () => (await Task.WhenAll(handles.Select(h => h.QueryAsync(w => w.CompletedSteps)))).All(n => n == 1), Observe.Bound);
                var running = await Task.WhenAll(handles.Select(h => h.DescribeAsync()));
                await first.DisposeAsync();

                // The loss only means something if it hit work in flight: every run open, step 1 done, the rest pending.
                var landed = parked && running.All(d => d.Status == WorkflowExecutionStatus.Running);
                fact.Finding("Variant: in-process worker stop (graceful cancellation of the worker), the weak variant; the separate-process hard kill is not built yet.");
                if (!landed)
                {
                    foreach (var id in new[] { "all-complete", "no-rerun", "effects-once", "histories-replay" })
                    {
                        checks.NotRun(id, "the worker stop hit no in-flight work (workflows were not parked mid-run), so nothing was tested");
                    }
                }
                else
                {
                    await using var second = RunningWorker.Start(server.Client, Options());
                    var clock = Stopwatch.StartNew();
                    foreach (var handle in handles)
                    {
                        await handle.SignalAsync(w => w.ReleaseAsync());
                    }

                    var results = await Task.WhenAll(handles.Select(h => h.GetResultAsync()));
                    fact.Metric("recovery_ms", clock.Elapsed.TotalMilliseconds, "ms");
                    var expected = WorkerLossResumesWorkflow.Expected(Steps);
                    checks.Expect("all-complete", results.All(r => r == expected), $"results [{string.Join("; ", results)}], expected {expected} each");

                    var step1Runs = handles.Select(h => ledger.Executions(h.Id, LedgerActivities.StepName(1))).ToList();
                    checks.Expect("no-rerun", step1Runs.All(n => n == 1), $"step 1 executions per workflow: {string.Join(", ", step1Runs)}");

                    var perStep = handles.SelectMany(h => Enumerable.Range(1, Steps).Select(s => ledger.RawEffects(h.Id, LedgerActivities.StepName(s)))).ToList();
                    var distinct = handles.Select(h => ledger.DistinctEffects(h.Id)).ToList();
                    checks.Expect(
                        "effects-once",
                        perStep.All(n => n == 1) && distinct.All(n => n == Steps),
                        $"raw effects per (workflow, step): {string.Join(",", perStep)}; distinct effects per workflow: {string.Join(",", distinct)}");

                    var histories = await Task.WhenAll(handles.Select(h => h.FetchHistoryAsync()));
                    var replays = await HistoryProbe.ReplayAsync(histories, o => o.AddWorkflow<WorkerLossResumesWorkflow>(), checks.Cancellation);
                    checks.Expect("histories-replay", replays.All(r => r.Failure is null), $"{replays.Count(r => r.Failure is null)} of {replays.Count} histories replayed cleanly");
                }

                checks.NotRun("hard-kill", "the separate-process hard-kill protocol is not built yet; this run stopped the worker in-process");
            });
        fact.Conclude();
    }
}
