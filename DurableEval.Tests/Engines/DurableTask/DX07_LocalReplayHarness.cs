using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("DX-07", Engine = "durabletask")]
    public async Task DX07_LocalReplayHarness()
    {
        const string BrokenId = "dx07-broken-fanout";
        const int Batch = 20;
        const int Passes = 5;
        var minRate = CriterionThresholds.Get("DX-07", "histories_per_second_min");
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("hand-built-replays-each", $"{Batch} fan-out histories (2-4 branches, built in code) replay through the public shim factory and DTFx's TaskOrchestrationExecutor, each completing with the output computed from its branches' results"),
                Core("broken-history-named", "A tampered copy of one history (an activity name changed) fails, named by its id, while every other history in the batch passes"),
                // Edge here, not core as for Temporal: with no recorded history anywhere on this host there is nothing to hold the engine to.
                Edge("files-replay-each", "Recorded history files replay, each reported"),
                Edge("throughput", $"At least {minRate.Value.ToString(CultureInfo.InvariantCulture)} histories/s after a warm-up pass (DurableEval's threshold)"),
                Edge("public-replayer", "The SDK offers a replayer type of its own (as Temporal's WorkflowReplayer)"),
            ],
            checks =>
            {
                var replayer = new ShimReplayer(nameof(FanOutOrchestrator), () => new FanOutOrchestrator());
                var histories = Enumerable.Range(0, Batch).Select(i => ShimReplayer.FanOutHistory($"dx07-fanout-{i}", 2 + (i % 3))).ToList();
                var results = histories.Select(replayer.Replay).ToList();
                var wrong = results.Zip(histories)
                    .Where(p => !p.First.Passed || p.First.Output != ShimReplayer.FanOutOutput(2 + (int.Parse(p.Second.Id.Split('-')[^1], CultureInfo.InvariantCulture) % 3)))
                    .Select(p => p.First)
                    .ToList();
                checks.Expect(
                    "hand-built-replays-each",
                    results.Count == Batch && wrong.Count == 0,
                    $"{results.Count} replayed, {results.Count - wrong.Count} completed with the expected output"
                        + (wrong.Count == 0 ? $"; e.g. {results[0].Id}: {results[0].Status} {results[0].Output}" : $"; first wrong: {wrong[0].Id}: {wrong[0].Status} {wrong[0].Output} {wrong[0].Failure}"));

                var batch = histories.Append(ShimReplayer.FanOutHistory(BrokenId, 2, "RenamedActivity")).Select(replayer.Replay).ToList();
                var failed = batch.Where(r => !r.Passed).ToList();
                checks.Expect(
                    "broken-history-named",
                    failed.Count == 1 && failed[0].Id == BrokenId,
                    $"{batch.Count - failed.Count} of {batch.Count} passed; failed: {(failed.Count == 0 ? "none" : string.Join("; ", failed.Select(f => $"{f.Id}: {f.Failure}")))}");

                checks.NotRun("files-replay-each", "cannot be attempted: there are no recorded Durable Task histories; the in-process host keeps none (GetOrchestrationHistoryAsync returns 0 events) and the SDK defines no history file format; the Azure Storage provider's history table could be read into these events");

                foreach (var h in histories)
                {
                    replayer.Replay(h);
                }

                var clock = Stopwatch.StartNew();
                for (var p = 0; p < Passes; p++)
                {
                    foreach (var h in histories)
                    {
                        replayer.Replay(h);
                    }
                }

                var rate = Batch * Passes / clock.Elapsed.TotalSeconds;
                fact.Metric("replay_histories_per_second", rate, "histories/s", new MetricMethod(Batch * Passes, Batch, Passes, "histories / wall time of passes over hand-built fan-out histories", "none (offline, DTFx executor through the public shim)", "none", "DurableTaskShimFactory with default worker options"));
                checks.Expect("throughput", rate >= minRate.Value, string.Create(CultureInfo.InvariantCulture, $"{rate:0} histories/s over {Passes} passes of {Batch} histories"));

                var replayTypes = new[] { typeof(TaskOrchestrator<,>).Assembly, typeof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions).Assembly, typeof(Microsoft.DurableTask.Client.DurableTaskClient).Assembly, typeof(Microsoft.DurableTask.Testing.DurableTaskTestHost).Assembly }
                    .Distinct()
                    .SelectMany(a => a.GetExportedTypes())
                    .Where(t => t.Name.Contains("Replay", StringComparison.OrdinalIgnoreCase))
                    .Select(t => t.FullName)
                    .ToList();
                checks.Expect(
                    "public-replayer",
                    replayTypes.Count > 0,
                    replayTypes.Count > 0
                        ? $"public replay types: {string.Join(", ", replayTypes)}"
                        : $"no public type named for replay in {string.Join(", ", new[] { typeof(TaskOrchestrator<,>).Assembly, typeof(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions).Assembly, typeof(Microsoft.DurableTask.Client.DurableTaskClient).Assembly, typeof(Microsoft.DurableTask.Testing.DurableTaskTestHost).Assembly }.Distinct().Select(a => $"{a.GetName().Name} {a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}"))}: the harness above is assembled by the user from the worker's shim factory and DTFx's executor");
                return Task.CompletedTask;
            });
        fact.Finding("Durable Task has no replayer in its SDK; a local harness can be assembled from public types (DurableTaskShimFactory.CreateOrchestration and DTFx's TaskOrchestrationExecutor), and the worker itself detects replay mismatches at run time (EX-06).");
        fact.Conclude();
    }
}
