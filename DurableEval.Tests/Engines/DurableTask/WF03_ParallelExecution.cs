using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("WF-03", Engine = "durabletask")]
    public async Task WF03_ParallelExecution()
    {
        var fact = Begin();
        var request = new FanOutRequest(Count: 6, FailingBranch: 4, WorkMs: 150);
        await InProcessHost.RunAsync(
            fact,
            [
                Core("all-complete", $"{request.Count} activities started together with Task.WhenAll all run; every branch but the failing one returns its square"),
                Core("executions-overlap", "Their executions overlap: more than one activity is in flight at the same moment (interlocked counter)"),
                Core("failing-branch-isolated", "The failing branch is captured as that branch's failure (its own message); every other branch keeps its result"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<FanOutOrchestrator>();
                tasks.AddActivity<SquareBranchActivity>();
            },
            async (block, checks) =>
            {
                var id = await block.StartAsync("WF-03", nameof(FanOutOrchestrator), request);
                var done = await block.CompletionAsync(id);
                var branches = done.ReadOutputAs<FanOutResult>()?.Branches ?? [];
                var ran = block.Log.Count(id, nameof(SquareBranchActivity));
                var expected = Enumerable.Range(1, request.Count)
                    .Select(i => i == request.FailingBranch ? $"failed:branch {i} failed" : (i * i).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .ToList();
                checks.Expect(
                    "all-complete",
                    ran == request.Count && branches.Count == request.Count && branches.Where((b, i) => i + 1 != request.FailingBranch).SequenceEqual(expected.Where((e, i) => i + 1 != request.FailingBranch)),
                    $"{ran} activity executions; branches [{string.Join(", ", branches)}]");
                checks.Expect("executions-overlap", block.Log.MaxInFlight > 1, $"at most {block.Log.MaxInFlight} activities in flight at once ({request.WorkMs} ms each)");
                checks.Expect(
                    "failing-branch-isolated",
                    branches.SequenceEqual(expected),
                    $"branch {request.FailingBranch}: '{(branches.Count >= request.FailingBranch ? branches[request.FailingBranch - 1] : "missing")}'; branches [{string.Join(", ", branches)}], expected [{string.Join(", ", expected)}]");
            });
        fact.Conclude();
    }
}
