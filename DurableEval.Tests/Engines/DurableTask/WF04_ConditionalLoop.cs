using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("WF-04", Engine = "durabletask")]
    public async Task WF04_ConditionalLoop()
    {
        var fact = Begin();
        int[] batches = [3, 8, 5, 6, 7];
        await InProcessHost.RunAsync(
            fact,
            [
                Core("branch-on-input", "An if on each batch's parity decides which branch runs: the log's even and odd calls are exactly the even and odd batches"),
                Core("continued-run-input-recorded", "ContinueAsNew hands the running total over: the last run's recorded input carries the total of the batches before it, and its output the total of all"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<BatchedTotalOrchestrator>();
                tasks.AddActivity<AddBatchActivity>();
            },
            async (block, checks) =>
            {
                var id = await block.StartAsync("WF-04", nameof(BatchedTotalOrchestrator), new LoopState(batches, 0, 0));
                var done = await block.CompletionAsync(id);
                string Joined(IEnumerable<int> values) => string.Join(", ", values);
                List<int> Logged(string branch) => block.Log.For(id).Where(c => c.Step == branch).Select(c => int.Parse(c.Detail, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                var even = Logged("even");
                var odd = Logged("odd");
                checks.Expect(
                    "branch-on-input",
                    even.SequenceEqual(batches.Where(b => b % 2 == 0)) && odd.SequenceEqual(batches.Where(b => b % 2 != 0)),
                    $"even branch [{Joined(even)}], odd branch [{Joined(odd)}] for batches [{Joined(batches)}]");

                var lastInput = done.ReadInputAs<LoopState>();
                var output = done.ReadOutputAs<LoopState>();
                var generations = (batches.Length + 1) / 2;
                var handedOver = batches.Take((generations - 1) * 2).Sum();
                checks.Expect(
                    "continued-run-input-recorded",
                    done.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                        && lastInput?.Total == handedOver && lastInput.Generation == generations - 1
                        && output?.Total == batches.Sum() && output.Generation == generations,
                    $"status {done.RuntimeStatus}; last run's input: total {lastInput?.Total} at generation {lastInput?.Generation} (expected {handedOver} at {generations - 1}); output total {output?.Total} at generation {output?.Generation} (expected {batches.Sum()} at {generations})");
            });
        fact.Conclude();
    }
}
