using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-02")]
    public async Task AI02_NondeterminismHandling()
    {
        const int Runs = 4;
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("model-answers-differ", $"Premise: the model gives a different answer to each of {Runs} identical questions"),
                Core("query-same-decision", "After completion, a query on a worker with no cache (a full replay of the server's history) returns each run's original answer and branch"),
                Core("decision-histories-replay", "Every fetched history replays cleanly with the workflow code"),
                Core("patch-old-runs-keep-prompt", "A prompt and model change behind Workflow.Patched: a run that started under v1 keeps prompt v1 for both its calls after the v2 worker takes over"),
                Core("patch-new-runs-take-prompt", "A run started on the v2 worker uses prompt v2 for both calls and records the patch marker"),
                Edge("patched-history-replays", "The old run's history, finished under v2 code, replays cleanly against the v2 code"),
            ],
            async (server, checks) =>
            {
                // Nothing here waits on a timer: auto-skipping stays off, because on a loaded machine it jumps the clock
                // past the 10 s workflow-task timeout of a task still being processed (seen as WorkflowTaskTimedOut).
                // A model that answers at random, with a nonce so no two answers are equal.
                await using var host = AgentHost.Start(request => request.Messages.Any(m => m.Content == ModelRoutedWorkflow.Instructions)
                    ? ScriptedReply.Text($"{(Random.Shared.Next(2) == 0 ? "search" : "calculator")} #{Guid.NewGuid():N}")
                    : ScriptedReply.Text($"summary #{request.Index}"));
                var queue = server.NewTaskQueue("nondeterminism");
                await using (var worker = RunningWorker.Start(server.Client, host.Worker(queue).AddWorkflow<ModelRoutedWorkflow>()))
                {
                    var handles = new List<WorkflowHandle<ModelRoutedWorkflow, ModelDecision>>();
                    for (var i = 0; i < Runs; i++)
                    {
                        handles.Add(await server.Client.StartWorkflowAsync((ModelRoutedWorkflow w) => w.RunAsync("what is 2+3?"), server.Options($"route{i}", queue)));
                    }

                    var decisions = await server.Environment.WithAutoTimeSkippingDisabledAsync(() => Task.WhenAll(handles.Select(h => h.GetResultAsync())));
                    var requests = host.Endpoint.Requests;
                    var distinct = decisions.Select(d => d.Answer).Distinct(StringComparer.Ordinal).Count();
                    fact.Metric("distinct_branches", decisions.Select(d => d.Branch).Distinct(StringComparer.Ordinal).Count(), "branches");
                    checks.Expect(
                        "model-answers-differ",
                        distinct == Runs && requests == Runs,
                        $"{distinct} distinct answers from {requests} requests: {string.Join("; ", decisions.Select(d => $"{d.Answer[..Math.Min(d.Answer.Length, 14)]} -> {d.Branch}"))}");

                    // The query replays each run from the history the server returns (no cache): the decision it rebuilds
                    // comes from the recorded model answer, so a history that lost or altered that answer shows here.
                    var queried = await Task.WhenAll(handles.Select(h => h.QueryAsync(w => w.Decision)));
                    var same = queried.Zip(decisions).All(p => p.First == p.Second);
                    checks.Expect(
                        "query-same-decision",
                        same,
                        $"queried decisions equal the results for {queried.Zip(decisions).Count(p => p.First == p.Second)} of {Runs} runs");

                    var histories = await Task.WhenAll(handles.Select(h => h.FetchHistoryAsync()));
                    var replays = await HistoryProbe.ReplayAsync(histories, o => o.AddWorkflow<ModelRoutedWorkflow>(), checks.Cancellation);
                    checks.Expect(
                        "decision-histories-replay",
                        replays.All(r => r.Failure is null) && replays.Count == Runs,
                        $"{replays.Count(r => r.Failure is null)} of {replays.Count} histories replayed cleanly");
                }

                host.Endpoint.Script = request => ScriptedReply.Text($"summary #{request.Index}");
                var patchQueue = server.NewTaskQueue("patch");
                var v1 = RunningWorker.Start(server.Client, host.Worker(patchQueue).AddWorkflow<PromptedAnswerWorkflowV1>());
                var old = await server.Client.StartWorkflowAsync((PromptedAnswerWorkflowV1 w) => w.RunAsync(), server.Options("old", patchQueue));
                var oldParked = await Eventually.HoldsAsync(async () => await old.QueryAsync(w => w.CompletedCalls) == 1, Observe.Bound, checks.Cancellation);
                await v1.DisposeAsync();

                await using var v2 = RunningWorker.Start(server.Client, host.Worker(patchQueue).AddWorkflow<PromptedAnswerWorkflowV2>());
                var fresh = await server.Client.StartWorkflowAsync((PromptedAnswerWorkflowV2 w) => w.RunAsync(), server.Options("new", patchQueue));
                await old.SignalAsync(w => w.GoAsync());
                await Eventually.HoldsAsync(async () => await fresh.QueryAsync(w => w.CompletedCalls) == 1, Observe.Bound, checks.Cancellation);
                await fresh.SignalAsync(w => w.GoAsync());
                await server.Environment.WithAutoTimeSkippingDisabledAsync(() => Task.WhenAll(old.GetResultAsync(), fresh.GetResultAsync()));
                var oldHistory = await old.FetchHistoryAsync();
                var freshHistory = await fresh.FetchHistoryAsync();
                var oldPrompts = PromptsSent(oldHistory);
                var freshPrompts = PromptsSent(freshHistory);
                var seenModels = host.Endpoint.Seen.Where(r => r.Messages.Any(m => m.Content.StartsWith("prompt-v", StringComparison.Ordinal))).Select(r => r.Model).Distinct().ToList();
                fact.Finding($"ChatOptions.ModelId reached the endpoint as the request's model for the patched prompt calls: models seen [{string.Join(", ", seenModels)}].");

                if (!oldParked)
                {
                    checks.NotRun("patch-old-runs-keep-prompt", "the v1 run never completed its first call before the worker swap");
                }
                else
                {
                    checks.Expect(
                        "patch-old-runs-keep-prompt",
                        oldPrompts.Count == 2 && oldPrompts.All(p => p == PromptVersions.V1) && HistoryProbe.Count(oldHistory, EventType.MarkerRecorded) == 0,
                        $"old run's model calls used [{string.Join(", ", oldPrompts.Select(p => p.Model))}] ({HistoryProbe.Count(oldHistory, EventType.MarkerRecorded)} patch markers)");
                }

                checks.Expect(
                    "patch-new-runs-take-prompt",
                    freshPrompts.Count == 2 && freshPrompts.All(p => p == PromptVersions.V2) && HistoryProbe.Count(freshHistory, EventType.MarkerRecorded) == 1,
                    $"new run's model calls used [{string.Join(", ", freshPrompts.Select(p => p.Model))}] ({HistoryProbe.Count(freshHistory, EventType.MarkerRecorded)} patch marker)");

                var patchedReplay = await HistoryProbe.ReplayAsync([oldHistory, freshHistory], o => o.AddWorkflow<PromptedAnswerWorkflowV2>(), checks.Cancellation);
                checks.Expect(
                    "patched-history-replays",
                    patchedReplay.All(r => r.Failure is null),
                    $"old and new histories against v2 code: {string.Join("; ", patchedReplay.Select(r => r.Failure is null ? "clean" : HistoryProbe.Summarize(r.Failure)))}");
            });
        fact.Finding("Replay never runs a regular activity, so no model request is counted during a query or a replay here: that count could not fail. What a worker loss costs in model requests is measured in AI-01, with the worker process killed during a model call.");
        fact.Cite(
            "Workflow code must be deterministic; non-deterministic calls such as an LLM belong in activities, whose results are replayed from history.",
            "https://docs.temporal.io/workflow-definition#deterministic-constraints");
        fact.Cite(
            "Patching (Workflow.Patched) lets running executions keep the old code path while new executions take the new one.",
            "https://docs.temporal.io/develop/dotnet/versioning#patching");
        fact.Conclude();
    }

    /// <summary>The prompts the run sent to the model, read from the CompleteChat activity inputs in its history.</summary>
    private static List<ChatPrompt> PromptsSent(WorkflowHistory history) =>
        ActivityEvents.Scheduled(history, ModelActivities.CompleteChat)
            .Select(e => HistoryProbe.DecodeFirst<ChatPrompt>(e.ActivityTaskScheduledEventAttributes.Input))
            .ToList();
}
