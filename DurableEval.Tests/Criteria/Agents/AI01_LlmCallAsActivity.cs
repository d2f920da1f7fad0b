using System.Diagnostics;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Enums.V1;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-01")]
    public async Task AI01_LlmCallAsActivity()
    {
        const int RetryAfterSeconds = 7;
        var fact = Begin();
        fact.Finding("The model is the real OpenAI .NET client (Microsoft.Extensions.AI.OpenAI) over HTTP to a scripted loopback chat-completions endpoint; the client's own retry policy is off (ClientRetryPolicy maxRetries 0) so every retry is Temporal's and the endpoint's request count is exact.");

        await fact.OfflineAsync(
            [Core("429-becomes-retry-delay", $"The model activity turns an HTTP 429 with Retry-After {RetryAfterSeconds} into a retryable ApplicationFailureException whose NextRetryDelay is {RetryAfterSeconds} s, without the client retrying by itself")],
            async checks =>
            {
                await using var host = AgentHost.Start(_ => ScriptedReply.TooManyRequests(RetryAfterSeconds));
                var environment = new ActivityEnvironment();
                var failure = await Observe.FailureOfAsync(() => environment.RunAsync(() => host.Models.CompleteAsync(new ChatPrompt("hello"))));
                var app = failure as ApplicationFailureException;
                checks.Expect(
                    "429-becomes-retry-delay",
                    app is { ErrorType: ModelErrors.RateLimited, NonRetryable: false } && app.NextRetryDelay == TimeSpan.FromSeconds(RetryAfterSeconds) && host.Endpoint.Requests == 1,
                    $"{Observe.DescribeChain(failure)}; next retry delay {app?.NextRetryDelay?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} s; endpoint requests {host.Endpoint.Requests}");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("memoized-after-worker-loss", "Three model calls, the worker lost after two completed: the run finishes on a new worker and the model received exactly 3 requests"),
                Core("replay-calls-nothing", "A query after completion on a worker with no cache (a full replay) and a WorkflowReplayer replay of the history send no request to the model"),
                Core("retry-after-honoured", $"A 429 with Retry-After {RetryAfterSeconds} s makes the next attempt start {RetryAfterSeconds} s later in server time (not the policy's 1 s), and the call then succeeds"),
                Production("hard-kill", "The same holds when the worker is a separate process killed hard"),
            ],
            async (server, checks) =>
            {
                var tag = Guid.NewGuid().ToString("N")[..8];
                var limitedPrompt = $"rate-limited-{tag}";
                var limitedOnce = 0;
                await using var host = AgentHost.Start(request =>
                    request.LastUser == limitedPrompt && Interlocked.Exchange(ref limitedOnce, 1) == 0
                        ? ScriptedReply.TooManyRequests(RetryAfterSeconds)
                        : ScriptedReply.Text($"answer #{request.Index} to {request.LastUser}"));
                var queue = server.NewTaskQueue("llm");
                var options = host.Worker(queue).AddWorkflow<MemoizedModelCallsWorkflow>();

                string[] prompts = [$"one-{tag}", $"two-{tag}", $"three-{tag}"];
                var first = RunningWorker.Start(server.Client, options);
                var handle = await server.Client.StartWorkflowAsync((MemoizedModelCallsWorkflow w) => w.RunAsync(prompts, 2), server.Options("memo", queue));
                var parked = await Eventually.HoldsAsync(async () => await handle.QueryAsync(w => w.CompletedCalls) == 2, Observe.Bound, checks.Cancellation);
                var beforeLoss = host.Endpoint.Requests;
                await first.DisposeAsync();
                fact.Finding("Worker loss variant: in-process worker stop with no workflow cache (the weak variant); the separate-process hard kill is not built.");

                await using var second = RunningWorker.Start(server.Client, host.Worker(queue).AddWorkflow<MemoizedModelCallsWorkflow>());
                await handle.SignalAsync(w => w.ReleaseAsync());
                var answers = await server.Environment.WithAutoTimeSkippingDisabledAsync(() => handle.GetResultAsync()); // no timers; see AI-02
                var afterRun = host.Endpoint.Requests;
                var history = await handle.FetchHistoryAsync();
                var lifecycle = ActivityEvents.Lifecycle(history, ModelActivities.CompleteChat);
                var served = prompts.Select(p => host.Endpoint.Seen.Where(r => r.LastUser == p).ToList()).ToList();
                var matches = prompts.Select((p, i) => served[i].Count == 1 && answers[i].Text == $"answer #{served[i][0].Index} to {p}").ToList();
                if (!parked || beforeLoss != 2)
                {
                    checks.NotRun("memoized-after-worker-loss", $"the loss did not land after two completed calls (parked {parked}, requests before the loss {beforeLoss})");
                }
                else
                {
                    checks.Expect(
                        "memoized-after-worker-loss",
                        afterRun == prompts.Length && matches.All(m => m) && lifecycle.Scheduled == prompts.Length && lifecycle.Started == prompts.Length && lifecycle.Completed == prompts.Length,
                        $"requests: {beforeLoss} before the loss, {afterRun} at the end for {prompts.Length} calls; answers match the served requests: {string.Join("/", matches)}; history {lifecycle}");
                }

                var queried = await handle.QueryAsync(w => w.CompletedCalls);
                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<MemoizedModelCallsWorkflow>(), checks.Cancellation);
                var afterReplay = host.Endpoint.Requests;
                checks.Expect(
                    "replay-calls-nothing",
                    queried == prompts.Length && replay[0].Failure is null && afterReplay == afterRun,
                    $"query after completion answered {queried}; replay {(replay[0].Failure is null ? "clean" : HistoryProbe.Summarize(replay[0].Failure!))}; requests {afterRun} before, {afterReplay} after");
                fact.Metric("model_requests_for_3_calls", afterRun, "requests");

                var clock = Stopwatch.StartNew();
                var limited = await server.Client.StartWorkflowAsync((MemoizedModelCallsWorkflow w) => w.RunAsync(new[] { limitedPrompt }, 0), server.Options("retry-after", queue));
                var limitedAnswers = await limited.GetResultAsync();
                var wall = clock.Elapsed;
                var attempts = host.Journal.For(limited.Id, ModelActivities.CompleteChat).OrderBy(a => a.Attempt).ToList();
                var limitedHistory = await limited.FetchHistoryAsync();
                var lastStarted = HistoryProbe.FirstOf(limitedHistory, EventType.ActivityTaskStarted)?.ActivityTaskStartedEventAttributes.Attempt;
                var gap = attempts.Count == 2 ? attempts[1].StartedTime - attempts[0].StartedTime : (TimeSpan?)null;
                var requests = host.Endpoint.Seen.Count(r => r.LastUser == limitedPrompt);
                if (gap is { } g)
                {
                    fact.Metric("retry_after_gap_server_s", g.TotalSeconds, "s");
                }

                fact.Metric("retry_after_wall_ms", wall.TotalMilliseconds, "ms");

                // Attempt 1 takes milliseconds, so the gap is the delay plus well under a second; the policy's own 1 s would fall short.
                var retryAfter = TimeSpan.FromSeconds(RetryAfterSeconds);
                checks.Expect(
                    "retry-after-honoured",
                    gap is { } d && d >= retryAfter && d < retryAfter + TimeSpan.FromSeconds(1) && requests == 2 && lastStarted == 2 && limitedAnswers.Count == 1 && limitedAnswers[0].Attempt == 2,
                    $"{attempts.Count} attempts; attempt 2 started {gap?.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "never"} s of server time after attempt 1 (wall {wall.TotalMilliseconds:0} ms); "
                        + $"requests for the call {requests}; history ActivityTaskStarted attempt {lastStarted}; answer from attempt {(limitedAnswers.Count > 0 ? limitedAnswers[0].Attempt : 0)}");
                checks.NotRun("hard-kill", "the separate worker process (DurableEval.Worker) hosts only the step workflows of the worker-kill protocol, not the model activities and their scripted endpoint; this run lost its worker by an in-process stop");
            });
        fact.Cite(
            "Activities are the place for non-deterministic work such as calling an LLM; their results are recorded in the event history and replayed, not re-executed.",
            "https://docs.temporal.io/activities");
        fact.Cite(
            "An activity can set the delay before its next retry by raising an application failure with next_retry_delay, overriding the retry policy's backoff.",
            "https://docs.temporal.io/encyclopedia/retry-policies#per-error-next-retry-delay");
        fact.Conclude();
    }
}
