using System.Diagnostics;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reliability;
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

        var kill = new ModelCallKillOptions();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("killed-mid-call", $"{kill.Runs} runs of {kill.Calls} model calls on a separate worker process (DurableEval.Worker), killed hard (SIGKILL) while the endpoint held call {kill.HeldCall} of every run open: every run completes, each interrupted call reaches the model exactly once more, every call completed before the kill or run after it exactly once, and the histories agree (attempts, completing worker)"),
                Edge("histories-replay", "Every final history of the kill run replays with the workflow code"),
                Core("retry-after-honoured", $"A 429 with Retry-After {RetryAfterSeconds} s makes the next attempt start {RetryAfterSeconds} s later in server time (not the policy's 1 s), and the call then succeeds"),
            ],
            async (server, checks) =>
            {
                // No workflow cache on the killed worker: the time-skipping server never moves a dead worker's sticky
                // queue back to the normal queue (TEMPORAL-FACTS §1.2), as in EX-01.
                var run = await ModelCallKill.RunAsync(server, kill, Output.WriteLine, checks.Cancellation);
                run.Verdict.RecordAs(checks, "killed-mid-call");
                RecordKillRun(fact, run, ServerNames.Of(server.Kind));
                if (run.Verdict.Outcome == OracleOutcome.NotRun)
                {
                    checks.NotRun("histories-replay", run.Verdict.Evidence);
                }
                else
                {
                    var replays = await HistoryProbe.ReplayAsync(run.Histories, o => o.AddWorkflow<ModelCallsSurviveWorkerKillWorkflow>(), checks.Cancellation);
                    var failed = replays.Where(r => r.Failure is not null).ToList();
                    checks.Expect(
                        "histories-replay",
                        failed.Count == 0 && replays.Count == kill.Runs,
                        $"{replays.Count - failed.Count} of {replays.Count} final histories replayed cleanly"
                        + (failed.Count == 0 ? string.Empty : $"; first failure: {HistoryProbe.Summarize(failed[0].Failure!)}"));
                }

                var tag = Guid.NewGuid().ToString("N")[..8];
                var limitedPrompt = $"rate-limited-{tag}";
                var limitedOnce = 0;
                await using var host = AgentHost.Start(request =>
                    request.LastUser == limitedPrompt && Interlocked.Exchange(ref limitedOnce, 1) == 0
                        ? ScriptedReply.TooManyRequests(RetryAfterSeconds)
                        : ScriptedReply.Text($"answer #{request.Index} to {request.LastUser}"));
                var queue = server.NewTaskQueue("llm");
                await using var worker = RunningWorker.Start(server.Client, host.Worker(queue).AddWorkflow<MemoizedModelCallsWorkflow>());

                var clock = Stopwatch.StartNew();
                var limited = await server.Client.StartWorkflowAsync((MemoizedModelCallsWorkflow w) => w.RunAsync(new[] { limitedPrompt }), server.Options("retry-after", queue));
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
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Production("cached-variant", "With workflow caching on (sticky queues, the production default) the same kill costs the same: the server moves the dead worker's sticky work back to the normal queue, and the interrupted calls reach the model exactly once more"),
            ],
            async (server, checks) =>
            {
                var run = await ModelCallKill.RunAsync(server, kill with { Cache = true }, Output.WriteLine, checks.Cancellation);
                run.Verdict.RecordAs(checks, "cached-variant");
            });
        fact.Finding("The cached variant runs only on a dev or external server: the time-skipping server has no sticky-queue fallback, so there it would measure the test server, not Temporal.");
        fact.Cite(
            "Activities are the place for non-deterministic work such as calling an LLM; their results are recorded in the event history and replayed, not re-executed.",
            "https://docs.temporal.io/activities");
        fact.Cite(
            "An activity can set the delay before its next retry by raising an application failure with next_retry_delay, overriding the retry policy's backoff.",
            "https://docs.temporal.io/encyclopedia/retry-policies#per-error-next-retry-delay");
        fact.Conclude();
    }

    private static void RecordKillRun(Evidence.FactRecorder fact, ModelCallKillRun run, string server)
    {
        var calls = run.Observation.Calls;
        fact.Metric("model_requests_per_call_killed_mid_call", calls.Count == 0 ? 0 : (double)calls.Sum(c => c.Requests) / calls.Count, "requests");
        fact.Metric("extra_model_requests_after_kill", calls.Sum(c => c.Requests) - calls.Count, "requests");
        if (run.Recovery is { } recovery)
        {
            fact.Metric("kill_recovery_ms", recovery.TotalMilliseconds, "ms");
        }

        fact.Metric("kill_run_s", run.Elapsed.TotalSeconds, "s");
        fact.Finding(
            $"Worker loss variant: the worker is a separate process (DurableEval.Worker --host ai, the model activity's OpenAI client pointed at the loopback endpoint) killed with SIGKILL "
            + $"while the endpoint held {calls.Count(c => c.HeldAtKill)} model call(s) open, workflow cache off, on the {server}; {run.WorkerProcesses} worker processes, "
            + $"{run.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s. The endpoint lets go of a held request only after the kill has landed.");
    }
}
