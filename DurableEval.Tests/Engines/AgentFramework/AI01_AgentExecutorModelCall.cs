using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// Model calls from an agent executor (ChatClientAgent over the real OpenAI chat client pointed at the loopback
    /// endpoint, its own retries off, as in Temporal's AI-01): the reply reaches the output; a failed call (HTTP 429)
    /// is or is not retried by the framework; a run that lost its call (failed, or cut off mid-call) resumes from the
    /// checkpoint and re-issues the call exactly once more.
    /// </summary>
    [SkippableFact]
    [Criterion("AI-01", Engine = Engine)]
    public async Task AI01_AgentExecutorModelCall()
    {
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("reply-reaches-output", "The model's reply to the prompt is the run's output; the endpoint received exactly one request for it"),
                Core("429-retried", "A call answered HTTP 429 is retried by the framework and the run then yields the reply (the client's own retries are off)"),
                Core("resume-after-failed-call", "The run that failed on the 429, resumed from its latest checkpoint in a fresh manager, re-issues the call exactly once more and yields the reply; the step before the call is not re-run"),
                Core("killed-mid-call", "A run whose worker process (DurableEval.Worker) is killed hard (SIGKILL) while the endpoint holds its model call open, resumed by a fresh process from its latest checkpoint, re-issues the call exactly once more and yields the endpoint's answer to the re-issue"),
                Edge("crashed-mid-call", "A run cut off while the endpoint held its call open (every call in flight ended, as with a killed process), resumed from its latest checkpoint, re-issues that call exactly once more and yields the reply; the step before the call is not re-run"),
            ],
            async checks =>
            {
                var tag = Guid.NewGuid().ToString("N")[..8];
                var rateLimited = ModelCallWorkflow.Prompt($"rate-limited-{tag}");
                var held = ModelCallWorkflow.Prompt($"held-{tag}");
                var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var firsts = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
                await using var endpoint = new ScriptedChatEndpoint(request =>
                {
                    var answer = ScriptedReply.Text(Answer(request));
                    var first = firsts.TryAdd(request.LastUser, true);
                    return first && request.LastUser == rateLimited ? ScriptedReply.TooManyRequests(1)
                        : first && request.LastUser == held ? ScriptedReply.HoldUntil(release.Task, answer)
                        : answer;
                });
                try
                {
                    // The reply.
                    var plain = await ModelRunAsync(endpoint, $"plain-{tag}", checks.Cancellation);
                    AgentFrameworkHostInfo.DeleteQuietly(plain.Folder);
                    var plainPrompt = ModelCallWorkflow.Prompt($"plain-{tag}");
                    var plainSeen = endpoint.Seen.Where(r => r.LastUser == plainPrompt).ToList();
                    checks.Expect(
                        "reply-reaches-output",
                        plainSeen.Count == 1 && plain.End.Output == Answer(plainSeen[0]),
                        $"{plainSeen.Count} request(s) for the prompt; output {Quote(plain.End.Output)}{Err(plain.End.Error)}, the endpoint answered {Quote(plainSeen.Count > 0 ? Answer(plainSeen[^1]) : null)}");

                    // A 429.
                    var limited = await ModelRunAsync(endpoint, $"rate-limited-{tag}", checks.Cancellation);
                    var limitedSeen = endpoint.Seen.Where(r => r.LastUser == rateLimited).ToList();
                    checks.Expect(
                        "429-retried",
                        limited.End.Output is not null && limitedSeen.Count == 2,
                        $"{limitedSeen.Count} request(s) for the prompt (the first answered 429); the run {(limited.End.Output is null ? $"ended without output{Err(limited.End.Error)}: not retried" : $"yielded {Quote(limited.End.Output)}")}");

                    var limitedResumed = await ResumeModelRunAsync(endpoint, limited, checks.Cancellation);
                    limitedSeen = endpoint.Seen.Where(r => r.LastUser == rateLimited).ToList();
                    checks.Expect(
                        "resume-after-failed-call",
                        limitedResumed.End.Output is not null && limitedSeen.Count == 2 && limitedResumed.End.Output == Answer(limitedSeen[^1]) && limited.Counter[ModelCallWorkflow.PrepareId] == 1,
                        $"resumed from {limitedResumed.From}: {limitedSeen.Count} request(s) for the prompt in all (expected 2); output {Quote(limitedResumed.End.Output)}{Err(limitedResumed.End.Error)}; 'prepare' ran {limited.Counter[ModelCallWorkflow.PrepareId]} time(s)");

                    // Cut off mid-call.
                    var cut = await CutOffModelRunAsync(endpoint, $"held-{tag}", () => endpoint.Holding.Any(h => h.Request.LastUser == held), checks.Cancellation);
                    var heldAtCrash = endpoint.Seen.Count(r => r.LastUser == held);
                    if (!cut.Reached)
                    {
                        AgentFrameworkHostInfo.DeleteQuietly(cut.Run.Folder);
                        checks.NotRun("crashed-mid-call", "the endpoint never held the call within 10 s, so the cut-off hit no call in flight");
                    }
                    else
                    {
                        var cutResumed = await ResumeModelRunAsync(endpoint, cut.Run, checks.Cancellation);
                        var heldSeen = endpoint.Seen.Where(r => r.LastUser == held).ToList();
                        checks.Expect(
                            "crashed-mid-call",
                            heldAtCrash == 1 && heldSeen.Count == 2 && cutResumed.End.Output == Answer(heldSeen[^1]) && cut.Run.Counter[ModelCallWorkflow.PrepareId] == 1,
                            $"{heldAtCrash} request(s) held at the cut-off, {heldSeen.Count} in all (expected 1 and 2); resumed from {cutResumed.From}: output {Quote(cutResumed.End.Output)}{Err(cutResumed.End.Error)}; "
                            + $"'prepare' ran {cut.Run.Counter[ModelCallWorkflow.PrepareId]} time(s), 'agent' {cut.Run.Counter[ModelCallWorkflow.AgentId]}");
                    }

                    fact.Metric("model_requests", endpoint.Requests, "count");

                    var killed = await ModelCallProcessKill.RunAsync(Output.WriteLine, checks.Cancellation);
                    killed.Verdict().RecordAs(checks, "killed-mid-call");
                    fact.Metric("killed_mid_call_s", killed.Elapsed.TotalSeconds, "s");
                }
                finally
                {
                    release.TrySetResult();
                }
            });

        fact.Finding(
            "killed-mid-call kills a DurableEval.Worker process (--host agentframework) whose run is held in its model call by the loopback endpoint, as Temporal's AI-01 does; "
            + "crashed-mid-call repeats it in this process (the call in flight cancelled, the run abandoned, a fresh checkpoint manager over the folder), where the executor counts are visible.");
        fact.Finding(LeftToTheUser);
        fact.Cite("An agent runs inside a workflow as an executor; checkpoints are taken at superstep boundaries, so a run resumed from one re-runs the executors after it.", CheckpointsDoc);
        fact.Conclude();
    }

    private static string Answer(ChatRequestSeen request) => ModelCallProcessKill.Answer(request);

    private static string Quote(string? text) => text is null ? "none" : $"'{text}'";

    private static string Err(string? error) => error is null ? string.Empty : $" ({error})";

    private sealed record ModelRun(string Folder, string Session, string Topic, ExecutorCounter Counter, RunEnd End);

    private static async Task<ModelRun> ModelRunAsync(ScriptedChatEndpoint endpoint, string topic, CancellationToken cancellation)
    {
        var folder = AgentFrameworkHostInfo.NewCheckpointFolder("ai01");
        var session = $"af-model-{Guid.NewGuid():N}";
        var counter = new ExecutorCounter();
        using var chat = endpoint.ChatClient();
        var (manager, store) = CheckpointedRuns.InFolder(folder);
        using (store)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            bound.CancelAfter(TimeSpan.FromSeconds(20));
            await using var run = await InProcessExecution.RunStreamingAsync(ModelCallWorkflow.Build(chat, counter), topic, manager, session, bound.Token);
            return new ModelRun(folder, session, topic, counter, await CheckpointedRuns.WatchAsync(run, onRequest: null, bound.Token));
        }
    }

    private static async Task<(bool Reached, ModelRun Run)> CutOffModelRunAsync(ScriptedChatEndpoint endpoint, string topic, Func<bool> held, CancellationToken cancellation)
    {
        var folder = AgentFrameworkHostInfo.NewCheckpointFolder("ai01");
        var session = $"af-model-{Guid.NewGuid():N}";
        var counter = new ExecutorCounter();
        using var chat = new CrashableChatClient(endpoint.ChatClient());
        var (manager, store) = CheckpointedRuns.InFolder(folder);
        using (store)
        {
            var run = await InProcessExecution.RunStreamingAsync(ModelCallWorkflow.Build(chat, counter), topic, manager, session, cancellation);
            var (reached, _) = await InProcessRuns.RunUntilAsync(run, PollAsync(held, TimeSpan.FromSeconds(10)), chat.Crash, checkpointsExpected: 1, TimeSpan.FromSeconds(10));
            return (reached && held(), new ModelRun(folder, session, topic, counter, new RunEnd(null, null, [], [])));
        }
    }

    private static async Task<(RunEnd End, string From)> ResumeModelRunAsync(ScriptedChatEndpoint endpoint, ModelRun previous, CancellationToken cancellation)
    {
        try
        {
            using var chat = endpoint.ChatClient();
            var (manager, store) = CheckpointedRuns.InFolder(previous.Folder);
            using (store)
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                bound.CancelAfter(TimeSpan.FromSeconds(20));
                var latest = await manager.GetLatestCheckpointAsync(previous.Session, bound.Token);
                if (latest is null)
                {
                    return (new RunEnd(null, "no checkpoint to resume from", [], []), "nothing");
                }

                await using var run = await InProcessExecution.ResumeStreamingAsync(ModelCallWorkflow.Build(chat, previous.Counter), latest, manager, bound.Token);
                return (await CheckpointedRuns.WatchAsync(run, onRequest: null, bound.Token), $"checkpoint {latest.CheckpointId}");
            }
        }
        finally
        {
            AgentFrameworkHostInfo.DeleteQuietly(previous.Folder);
        }
    }

    private static async Task PollAsync(Func<bool> condition, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }
    }
}
