using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("CP-04", Engine = "durabletask")]
    public async Task CP04_DeadLetter()
    {
        var fact = Begin();
        string[] orders = ["bad-1", "good-2", "bad-3"];
        var dependency = new DependencyState();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("exhausted-fails-workflow", $"An activity failing all {ChargeOrderOrchestrator.Attempts} allowed attempts fails the orchestration with a failure naming the activity and carrying the last error (InvalidOperationException and its message)"),
                Core("found-by-status", "The failed run is found by describe (GetInstanceAsync): Failed, with its orchestration name and failure details"),
                Core("redrive-after-fix", "Once the cause is fixed, every failed run found is re-handled (RestartAsync under a new id with the same input) and completes; the originals stay Failed (no dead-letter queue to drain)"),
                Production("list-and-count-by-status", "Failed runs are listed and counted by status (GetAllInstancesAsync with a Failed filter and the fact's id prefix): exactly the runs whose orders were refused"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<ChargeOrderOrchestrator>();
                tasks.AddActivity<ChargeOrderActivity>();
            },
            async (block, checks) =>
            {
                var prefix = $"{InProcessBlock.NewId("CP-04")}-";
                var ids = new Dictionary<string, string>();
                foreach (var order in orders)
                {
                    ids[order] = await block.StartAsync("CP-04", nameof(ChargeOrderOrchestrator), order, new StartOrchestrationOptions(prefix + order));
                }

                var ends = new Dictionary<string, OrchestrationMetadata>();
                foreach (var (order, id) in ids)
                {
                    ends[order] = await block.CompletionAsync(id);
                }

                var refused = orders.Where(o => o.StartsWith("bad-", StringComparison.Ordinal)).ToList();
                var first = ends[refused[0]];
                var failure = first.FailureDetails;
                var inner = failure?.InnerFailure ?? failure;
                var attempts = block.Log.Count(ids[refused[0]], nameof(ChargeOrderActivity));
                checks.Expect(
                    "exhausted-fails-workflow",
                    first.RuntimeStatus == OrchestrationRuntimeStatus.Failed
                        && attempts == ChargeOrderOrchestrator.Attempts
                        && (failure?.ErrorMessage.Contains(nameof(ChargeOrderActivity), StringComparison.Ordinal) ?? false)
                        && inner?.ErrorType == typeof(InvalidOperationException).FullName
                        && inner?.ErrorMessage == $"charge refused for {refused[0]}",
                    $"status {first.RuntimeStatus} after {attempts} attempt(s) (policy allows {ChargeOrderOrchestrator.Attempts}); failure {failure?.ErrorType}: {failure?.ErrorMessage}; innermost {inner?.ErrorType}: {inner?.ErrorMessage}");

                var described = await block.Client.GetInstanceAsync(ids[refused[0]], getInputsAndOutputs: true, block.Cancellation);
                checks.Expect(
                    "found-by-status",
                    described?.RuntimeStatus == OrchestrationRuntimeStatus.Failed && described.Name == nameof(ChargeOrderOrchestrator) && described.FailureDetails is not null,
                    $"describe: status {described?.RuntimeStatus}, name {described?.Name}, failure {(described?.FailureDetails is null ? "none" : described.FailureDetails.ErrorType)}");

                var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Failed], InstanceIdPrefix = prefix, FetchInputsAndOutputs = true };
                var listed = new List<OrchestrationMetadata>();
                await foreach (var instance in block.Client.GetAllInstancesAsync(query).WithCancellation(block.Cancellation))
                {
                    listed.Add(instance);
                }

                var listedIds = listed.Select(i => i.InstanceId).Order(StringComparer.Ordinal).ToList();
                var expectedIds = refused.Select(o => ids[o]).Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "list-and-count-by-status",
                    listedIds.SequenceEqual(expectedIds),
                    $"{listed.Count} failed run(s) listed under the prefix ({string.Join(", ", listed.Select(i => i.ReadInputAs<string>()))}); expected {expectedIds.Count} ({string.Join(", ", refused)}), {orders.Length - refused.Count} completed run(s) left out");

                dependency.Repair();
                var redriven = new List<OrchestrationMetadata>();
                foreach (var dead in listed)
                {
                    var again = await block.Client.RestartAsync(dead.InstanceId, restartWithNewInstanceId: true, block.Cancellation);
                    redriven.Add(await block.CompletionAsync(again));
                }

                var stillFailed = 0;
                foreach (var dead in listed)
                {
                    stillFailed += (await block.Client.GetInstanceAsync(dead.InstanceId, block.Cancellation))?.RuntimeStatus == OrchestrationRuntimeStatus.Failed ? 1 : 0;
                }

                var outputs = redriven.Select(r => r.ReadOutputAs<string>()).Order(StringComparer.Ordinal).ToList();
                var expectedOutputs = refused.Select(o => $"charged {o}").Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "redrive-after-fix",
                    listed.Count == refused.Count && redriven.All(r => r.RuntimeStatus == OrchestrationRuntimeStatus.Completed) && outputs.SequenceEqual(expectedOutputs) && stillFailed == listed.Count,
                    $"{redriven.Count} re-handled run(s): [{string.Join(", ", redriven.Select(r => $"{r.RuntimeStatus}: {r.ReadOutputAs<string>()}"))}]; originals still Failed: {stillFailed} of {listed.Count}");
            },
            services => services.AddSingleton(dependency));
        fact.Conclude();
    }
}
