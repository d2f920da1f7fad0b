using System.Globalization;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    [SkippableFact]
    [Criterion("AI-01", Engine = "durabletask")]
    public async Task AI01_LlmCallAsActivity()
    {
        const int RetryAfterSeconds = 1;
        const int FailuresBefore = 2;
        var retried = new ModelCallRequest($"retried-{Guid.NewGuid():N}"[..16], 4, 150, 2, false);
        var exhausted = new ModelCallRequest($"exhausted-{Guid.NewGuid():N}"[..18], 2, 50, 1, false);
        var memoized = new ModelCallRequest($"memoized-{Guid.NewGuid():N}"[..17], 3, 50, 1, true);
        int[] expectedGapsMs = [150, 300];
        var fact = Begin();
        fact.Finding("The model is the real OpenAI .NET client (Microsoft.Extensions.AI.OpenAI) over HTTP to the scripted loopback chat-completions endpoint Temporal's AI-01 uses; the client's own retry policy is off (maxRetries 0), so every retry is Durable Task's and the endpoint's request count is exact.");

        var failedSoFar = new Dictionary<string, int>();
        await using var endpoint = new ScriptedChatEndpoint(request =>
        {
            lock (failedSoFar)
            {
                var prompt = request.LastUser;
                var failed = failedSoFar.GetValueOrDefault(prompt);
                if (prompt == exhausted.Prompt || (prompt == retried.Prompt && failed < FailuresBefore))
                {
                    failedSoFar[prompt] = failed + 1;
                    return ScriptedReply.TooManyRequests(RetryAfterSeconds);
                }
            }

            return ScriptedReply.Text($"answer #{request.Index} to {request.LastUser}");
        });
        using var chat = endpoint.ChatClient();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("reply-reaches-output", "The model's reply, as the endpoint wrote it for that request, is the orchestration's output"),
                Core("memoized-on-replay", "A run that waits for an event after the call replays past it when the event arrives: the call's result comes from history (IsReplaying), the endpoint saw the prompt once and the activity ran once"),
                Core("retried-as-configured", $"A call answered {FailuresBefore} times with HTTP 429 is retried by the RetryPolicy (4 attempts, 150 ms, coefficient 2): exactly {FailuresBefore + 1} requests and activity runs, the answer from the last request, gaps of {string.Join(" and ", expectedGapsMs)} ms (no earlier, at most 300 ms later; real time)"),
                Edge("retry-exhausted", $"A call that always gets 429 under a {exhausted.MaxAttempts}-attempt policy reaches the model exactly {exhausted.MaxAttempts} times and reaches the orchestration as a failure naming ClientResultException"),
                Edge("retry-after-honoured", $"A 429 with Retry-After {RetryAfterSeconds} s delays the next attempt by {RetryAfterSeconds} s, not the policy's 150 ms"),
                Edge("killed-mid-call", "A worker killed during the model call: the call reaches the model exactly once more and the run completes"),
            ],
            tasks =>
            {
                tasks.AddOrchestrator<ModelCallOrchestrator>();
                tasks.AddActivity<ModelCallActivity>();
            },
            async (block, checks) =>
            {
                int Requests(string prompt) => endpoint.Seen.Count(r => r.LastUser == prompt);

                var memo = await block.StartAsync("AI-01", nameof(ModelCallOrchestrator), memoized);
                var answered = await block.StatusAsync(memo, m => m.SerializedCustomStatus is not null);
                await block.Client.RaiseEventAsync(memo, ModelCallOrchestrator.NextEvent, "go", block.Cancellation);
                var memoDone = await block.CompletionAsync(memo);
                var m = memoDone.ReadOutputAs<ModelCallOutcome>();
                var memoRequest = endpoint.Seen.FirstOrDefault(r => r.LastUser == memoized.Prompt);
                var expectedAnswer = memoRequest is null ? null : $"answer #{memoRequest.Index} to {memoized.Prompt}";
                checks.Expect(
                    "reply-reaches-output",
                    memoDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && m is { Succeeded: true } && expectedAnswer is not null && m.Answer == expectedAnswer,
                    $"{memoDone.RuntimeStatus} with '{m?.Answer}'; the endpoint answered '{expectedAnswer ?? "nothing"}'");
                var memoRequests = Requests(memoized.Prompt);
                var memoRuns = block.Log.Count(memo, nameof(ModelCallActivity));
                checks.Expect(
                    "memoized-on-replay",
                    answered?.RuntimeStatus == OrchestrationRuntimeStatus.Running && m is { ResultFromReplay: true } && memoRequests == 1 && memoRuns == 1,
                    $"the run was {answered?.RuntimeStatus} with the answer before the event; in the final execution the result came {(m?.ResultFromReplay == true ? "from history while replaying" : "fresh, not from a replay")}; endpoint requests {memoRequests}, activity runs {memoRuns}");

                // One at a time: the gaps are real time and would measure the host's scheduling if runs overlapped.
                var retriedId = await block.StartAsync("AI-01", nameof(ModelCallOrchestrator), retried);
                var r = (await block.CompletionAsync(retriedId)).ReadOutputAs<ModelCallOutcome>();
                var attempts = block.Log.For(retriedId).Where(c => c.Step == nameof(ModelCallActivity)).Select(c => c.At).ToList();
                var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
                var lastRequest = endpoint.Seen.Where(q => q.LastUser == retried.Prompt).MaxBy(q => q.Index);
                var retriedRequests = Requests(retried.Prompt);
                var gapsOk = gaps.Count == expectedGapsMs.Length && gaps.Zip(expectedGapsMs, (g, e) => g >= e - 20 && g <= e + 300).All(ok => ok);
                var gapText = string.Join(", ", gaps.Select(g => g.ToString("0", CultureInfo.InvariantCulture)));
                checks.Expect(
                    "retried-as-configured",
                    r is { Succeeded: true } && lastRequest is not null && r.Answer == $"answer #{lastRequest.Index} to {retried.Prompt}"
                        && retriedRequests == FailuresBefore + 1 && attempts.Count == FailuresBefore + 1 && gapsOk,
                    $"{retriedRequests} request(s) and {attempts.Count} activity run(s), expected {FailuresBefore + 1}; answer '{r?.Answer ?? r?.FailureMessage}'; gaps {gapText} ms, expected {string.Join(", ", expectedGapsMs)} ms (real time)");
                var firstGap = gaps.Count > 0 ? gaps[0] : (double?)null;
                checks.Expect(
                    "retry-after-honoured",
                    firstGap >= RetryAfterSeconds * 1000,
                    $"the attempt after a 429 with Retry-After {RetryAfterSeconds} s started {firstGap?.ToString("0", CultureInfo.InvariantCulture) ?? "never"} ms later: a Durable Task activity failure cannot carry a retry delay, so only the policy's interval applies (user code would need its own timer)");

                var exhaustedId = await block.StartAsync("AI-01", nameof(ModelCallOrchestrator), exhausted);
                var x = (await block.CompletionAsync(exhaustedId)).ReadOutputAs<ModelCallOutcome>();
                var exhaustedRequests = Requests(exhausted.Prompt);
                checks.Expect(
                    "retry-exhausted",
                    x is { Succeeded: false } && x.FailureErrorType == typeof(System.ClientModel.ClientResultException).FullName && exhaustedRequests == exhausted.MaxAttempts,
                    $"{exhaustedRequests} request(s) for {exhausted.MaxAttempts} attempts; the orchestration saw {(x is null ? "nothing" : x.Succeeded ? "success" : $"[{x.FailureErrorType}] {x.FailureMessage}")}");

                checks.NotRun("killed-mid-call", "cannot be attempted on the in-process test host: it runs the worker in the test's own process and a dead worker leaves its work items hanging; worker loss is measured on the Azure Storage provider (EX-01, CP-02)");
                fact.Metric("model_requests", endpoint.Requests, "requests");
            },
            services => services.AddSingleton(chat));
        fact.Cite(
            "Orchestrator code must be deterministic; I/O such as a model call belongs in an activity, whose result is recorded and returned from history on replay instead of running again.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-code-constraints");
        fact.Cite(
            "An activity call can take a RetryOptions/RetryPolicy (max attempts, first interval, backoff coefficient, max interval); there is no per-failure retry delay.",
            "https://learn.microsoft.com/azure/azure-functions/durable/durable-functions-error-handling");
        fact.Conclude();
    }
}
