using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Enums.V1;
using Temporalio.Testing;
using Xunit;
using static DurableEval.Tests.Criteria.Agents.AgentScripts;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-05")]
    public async Task AI05_AgentFrameworkIntegration()
    {
        ScriptedToolCall[] firstTurn = [Call("c1", AgentToolbox.Weather, "{\"city\":\"Paris\"}"), Call("c2", AgentToolbox.OrderStatus, "{\"orderId\":\"A-17\"}")];
        ScriptedToolCall[] secondTurn = [Call("c3", AgentToolbox.Weather, "{\"city\":\"Oslo\"}")];
        string[] expectedObservations = [AgentToolbox.WeatherIn("Paris"), AgentToolbox.OrderState("A-17"), AgentToolbox.WeatherIn("Oslo")];
        string[] tools = [AgentToolbox.Weather, AgentToolbox.OrderStatus];
        const string Goal = "Weather in Paris and Oslo, and where is order A-17?";
        var fact = Begin();
        fact.Finding("Microsoft Agent Framework (Microsoft.Agents.AI 1.28.0) runs inside the model activity: its ChatClientAgent gets the tools as declarations only, so it returns the model's tool calls instead of invoking them in-process (its own function-invocation loop would run every tool inside one activity, invisible to history and re-run as a whole on retry). The workflow owns the loop and runs each tool as its own activity.");

        await fact.OfflineAsync(
            [
                Core("framework-hands-back-tool-calls", "Microsoft Agent Framework's ChatClientAgent, given the tools as declarations only, returns the model's tool calls (names and arguments) from one model request instead of running them in-process"),
                Edge("transcript-round-trips", "The workflow's plain transcript (tool calls and results) reaches the model as OpenAI tool messages with the right call ids, and the model's answer comes back"),
            ],
            async checks =>
            {
                await using var host = AgentHost.Start(ProposeThenAnswer(firstTurn));
                var environment = new ActivityEnvironment();
                var turn = await environment.RunAsync(() => host.Models.AgentTurnAsync(new AgentTurnInput("Use the tools.", tools, [AgentMessage.User(Goal)])));
                var declared = host.Endpoint.Seen.SelectMany(r => r.Tools).Distinct().Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "framework-hands-back-tool-calls",
                    host.Endpoint.Requests == 1 && turn.Calls.Count == 2 && turn.Calls[0] == new ToolCallRequest("c1", AgentToolbox.Weather, "{\"city\":\"Paris\"}") && turn.Calls[1].Name == AgentToolbox.OrderStatus
                        && declared.SequenceEqual(tools.Order(StringComparer.Ordinal)),
                    $"{host.Endpoint.Requests} model request(s) declaring tools [{string.Join(", ", declared)}]; calls handed back: {string.Join("; ", turn.Calls.Select(c => $"{c.CallId} {c.Name} {c.ArgumentsJson}"))}");

                List<AgentMessage> transcript = [AgentMessage.User(Goal), AgentMessage.Assistant(turn.Calls), .. turn.Calls.Select(c => AgentMessage.ToolResult(c.CallId, $"result of {c.CallId}"))];
                var answer = await environment.RunAsync(() => host.Models.AgentTurnAsync(new AgentTurnInput("Use the tools.", tools, transcript)));
                var fed = host.Endpoint.Seen.OrderBy(r => r.Index).Last().ToolResults;
                checks.Expect(
                    "transcript-round-trips",
                    answer.Calls.Count == 0 && answer.Text == FinalAnswer(["result of c1", "result of c2"]) && fed.Select(r => r.ToolCallId).SequenceEqual(["c1", "c2"]),
                    $"second request carried tool results for [{string.Join(", ", fed.Select(r => r.ToolCallId))}]; answer '{answer.Text}'");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("each-call-one-activity", "Each model turn and each tool call is one activity in history (3 AgentTurn, 2 get_weather, 1 lookup_order), each completed once"),
                Core("loop-terminates", "The loop ends when the model answers: 3 turns, and the answer carries every tool result in order"),
                Core("resumes-after-worker-loss", "After losing its worker between turns 1 and 2 (an in-process stop while parked), the run finishes on a new worker: history shows turn 1 and its tools started on the first worker and everything after on the second"),
                Edge("history-replays", "The finished history replays with the workflow code"),
                Production("hard-kill", "The same holds when the worker is a separate process killed hard"),
            ],
            async (server, checks) =>
            {
                await using var host = AgentHost.Start(ProposeThenAnswer(firstTurn, secondTurn));
                var queue = server.NewTaskQueue("agent");
                var tag = Guid.NewGuid().ToString("N")[..8];
                var firstOptions = host.Worker(queue).AddWorkflow<DurableAgentWorkflow>();
                firstOptions.Identity = $"agent-first-{tag}";
                var secondOptions = host.Worker(queue).AddWorkflow<DurableAgentWorkflow>();
                secondOptions.Identity = $"agent-second-{tag}";
                var first = RunningWorker.Start(server.Client, firstOptions);
                var handle = await server.Client.StartWorkflowAsync((DurableAgentWorkflow w) => w.RunAsync(Request(Goal, tools, pauseAfterTurn: 1)), server.Options("agent", queue));
                var parked = await Eventually.HoldsAsync(async () => await handle.QueryAsync(w => w.CompletedTurns) == 1, Observe.Bound, checks.Cancellation);
                var requestsBefore = host.Endpoint.Requests;
                var toolRunsBefore = ToolRuns(host.Journal.For(handle.Id));
                await first.DisposeAsync();
                fact.Finding("Worker loss variant here: in-process worker stop with no workflow cache while the run is parked between turns. Replay never runs a regular activity, so model-request and tool-run counts after such a loss could not fail and are reported as metrics only; the cost of a worker process killed during a model call is measured in AI-01.");

                await using var second = RunningWorker.Start(server.Client, secondOptions);
                await handle.SignalAsync(w => w.ResumeAsync());
                var outcome = await server.Environment.WithAutoTimeSkippingDisabledAsync(() => handle.GetResultAsync()); // no timers; see AI-02
                var history = await handle.FetchHistoryAsync();
                var attempts = host.Journal.For(handle.Id);

                var turns = ActivityEvents.Lifecycle(history, ModelActivities.AgentTurn);
                var weather = ActivityEvents.Lifecycle(history, AgentToolbox.Weather);
                var order = ActivityEvents.Lifecycle(history, AgentToolbox.OrderStatus);
                var scheduled = HistoryProbe.Count(history, EventType.ActivityTaskScheduled);
                checks.Expect(
                    "each-call-one-activity",
                    turns is { Scheduled: 3, Completed: 3 } && weather is { Scheduled: 2, Completed: 2 } && order is { Scheduled: 1, Completed: 1 } && scheduled == 6,
                    $"{turns}; {weather}; {order}; {scheduled} ActivityTaskScheduled in all");

                var observed = outcome.Observations.Select(o => o.Observation).ToList();
                checks.Expect(
                    "loop-terminates",
                    outcome.Finished && outcome.Turns == 3 && observed.SequenceEqual(expectedObservations) && outcome.Answer == FinalAnswer(expectedObservations),
                    $"finished {outcome.Finished} after {outcome.Turns} turns; observations [{string.Join(" | ", observed)}]; answer '{outcome.Answer}'");

                var toolRuns = ToolRuns(attempts);
                fact.Metric("model_requests", host.Endpoint.Requests, "requests");
                fact.Metric("tool_executions", toolRuns, "executions");

                // Which worker started each activity, in schedule order: turn 1 and its tools before the loss, the rest after.
                var startedBy = ActivityEvents.StartedIdentities(history);
                var beforeLoss = 1 + firstTurn.Length;
                if (!parked || requestsBefore != 1 || toolRunsBefore != firstTurn.Length)
                {
                    checks.NotRun("resumes-after-worker-loss", $"the loss did not land between turns (parked {parked}, requests {requestsBefore}, tool runs {toolRunsBefore} before it)");
                }
                else
                {
                    checks.Expect(
                        "resumes-after-worker-loss",
                        outcome.Finished && startedBy.Count == 6
                            && startedBy.Take(beforeLoss).All(i => i == firstOptions.Identity) && startedBy.Skip(beforeLoss).All(i => i == secondOptions.Identity),
                        $"finished {outcome.Finished}; activities started by [{string.Join(", ", startedBy.Select(i => i == firstOptions.Identity ? "first" : i == secondOptions.Identity ? "second" : i))}]");
                }

                var replay = await HistoryProbe.ReplayAsync([history], o => o.AddWorkflow<DurableAgentWorkflow>(), checks.Cancellation);
                checks.Expect(
                    "history-replays",
                    replay[0].Failure is null,
                    $"replay {(replay[0].Failure is null ? "clean" : HistoryProbe.Summarize(replay[0].Failure!))}");
                checks.NotRun("hard-kill", "not built, to keep the run short: a kill during a model call costs a worker process start and a call timeout of real time on the time-skipping server. The same model activity is killed mid-call in AI-01 (killed-mid-call); killing an agent turn would extend the kill harness (Reliability/ModelCallKill) and DurableEval.Worker --host ai from prompt runs to agent runs");
            });

        fact.Finding("Temporalio 1.21.1 ships no .NET agent-framework integration; Temporalio.Extensions.MicrosoftAgentFramework is not in this environment's package mirror, so the integration here is the pattern above, built on Microsoft Agent Framework and Microsoft.Extensions.AI.");
        fact.Cite("Python: temporalio.contrib.openai_agents runs OpenAI Agents SDK model calls and tools as activities (experimental).", "https://github.com/temporalio/sdk-python/tree/main/temporalio/contrib/openai_agents");
        fact.Cite("TypeScript: the AI SDK by Vercel plugin wraps generateText() and tool calls in activities (public preview).", "https://docs.temporal.io/develop/typescript/integrations/ai-sdk");
        fact.Cite("Temporal's AI integrations repository: plugins for Google ADK (Go, Java), Spring AI (Java) and other agent SDKs.", "https://github.com/temporalio/ai-integrations");
        fact.Conclude();
    }

    private static int ToolRuns(IEnumerable<ActivityAttempt> attempts) => attempts.Count(a => a.ActivityType != ModelActivities.AgentTurn);
}
