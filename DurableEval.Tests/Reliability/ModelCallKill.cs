using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// The shape of one model-call kill: a few runs of a few model calls, one call of each held open by the endpoint
/// while the worker process is killed. Small on purpose: one kill with every run mid-call is the whole experiment.
/// </summary>
public sealed record ModelCallKillOptions
{
    public int Runs { get; init; } = 3;

    public int Calls { get; init; } = 3;

    /// <summary>The call (from 1) of each run that the endpoint holds open until the kill has landed.</summary>
    public int HeldCall { get; init; } = 2;

    /// <summary>
    /// The model call's start-to-close timeout: how soon the server retries a call lost with its worker. Real time
    /// on the time-skipping server, so it is the bulk of the run's cost; it must also exceed the spread between
    /// the runs reaching their held call (a held call that times out before the kill is not a kill hit).
    /// </summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Workers keep a workflow cache; only on servers that move a dead worker's sticky queue back.</summary>
    public bool Cache { get; init; }

    /// <summary>How long the first worker process may take to start and bring every run to its held call.</summary>
    public TimeSpan HoldBound { get; init; } = TimeSpan.FromSeconds(45);
}

/// <summary>A finished model-call kill: the observation the oracle judges, the final histories, and its timings.</summary>
public sealed record ModelCallKillRun(ModelCallKillObservation Observation, IReadOnlyList<WorkflowHistory> Histories, TimeSpan Elapsed, TimeSpan? Recovery, int WorkerProcesses)
{
    public OracleVerdict Verdict { get; } = ModelCallOracle.Judge(Observation);
}

/// <summary>
/// Kills the worker process during a model call, with the worker-kill protocol's parts (DurableEval.Worker, here
/// with --host ai; SIGKILL of its process tree; a fresh process after the kill; every process killed on the way
/// out). The loopback OpenAI-compatible endpoint lives in this process and holds the first request of each run's
/// <see cref="ModelCallKillOptions.HeldCall"/> open; once every run is held there the worker is killed, and only
/// then are the held requests let go. The endpoint counts every request, so what the kill cost in model calls is
/// measured where the bill would be.
/// </summary>
public static class ModelCallKill
{
    /// <summary>The loopback endpoint checks no key; the worker still takes one from its environment, as it would a real one.</summary>
    private const string LoopbackApiKey = "loopback-endpoint-needs-no-key";

    public static async Task<ModelCallKillRun> RunAsync(ServerLease server, ModelCallKillOptions options, Action<string> log, CancellationToken cancellation)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var prompts = Enumerable.Range(0, options.Runs)
            .Select(r => Enumerable.Range(1, options.Calls).Select(c => $"w{r.ToString(CultureInfo.InvariantCulture)}-call{c.ToString(CultureInfo.InvariantCulture)}-{tag}").ToList())
            .ToList();
        var heldPrompts = prompts.Select(p => p[options.HeldCall - 1]).ToHashSet(StringComparer.Ordinal);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holdTaken = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await using var endpoint = new ScriptedChatEndpoint(request =>
        {
            var answer = ScriptedReply.Text(Answer(request));
            return heldPrompts.Contains(request.LastUser) && holdTaken.TryAdd(request.LastUser, true) ? ScriptedReply.HoldUntil(release.Task, answer) : answer;
        });

        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-model-kill-{Guid.NewGuid():N}.db");
        var queue = server.NewTaskQueue("model-kill");
        // The worker connects exactly as this client did (TLS, API key, metadata, namespace): see KillProtocol.
        var connection = WorkerConnection.From(server.Client);
        var workers = new List<WorkerProcess>();
        var clock = Stopwatch.StartNew();
        string At() => clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
        WorkerProcess StartWorker()
        {
            var worker = WorkerProcess.Start(new WorkerLaunch(
                connection,
                queue,
                ledger,
                options.Cache,
                $"ai-worker-{workers.Count + 1}-{tag}",
                ["--host", "ai", "--model-endpoint", endpoint.BaseAddress.ToString()],
                new Dictionary<string, string> { ["DURABLEEVAL_MODEL_API_KEY"] = LoopbackApiKey }));
            workers.Add(worker);
            return worker;
        }

        log($"model-call kill: {options.Runs} runs x {options.Calls} calls, call {options.HeldCall} held until the kill, call timeout {options.CallTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s, cache {(options.Cache ? "on" : "off")}");
        // The oracle here is the endpoint's count; the journal only says whether a worker came up (as in KillProtocol).
        var journal = StepJournal.Open(ledger);
        var tail = new JournalTail(journal);
        WorkerExit? exit = null;

        // A worker that ended without being killed (it could not connect, or failed) ends the run at once with its
        // reason; otherwise the waits below would run into the block's bound and say nothing about why.
        async Task<bool> ExitedAsync()
        {
            var current = workers[^1];
            if (exit is null && current.ExitedOnItsOwn)
            {
                await current.WaitForOutputAsync(cancellation);
                tail.Advance();
                exit = new WorkerExit(current.Identity, current.ExitCode, tail.IsUp(current.Identity), current.FirstErrorLines);
                log("WORKER EXITED: " + exit.Describe());
            }

            return exit is not null;
        }

        try
        {
            var killed = StartWorker();

            // Result waits with auto time skipping off: nothing here waits on a timer (see KillProtocol).
            return await server.Environment.WithAutoTimeSkippingDisabledAsync(async () =>
            {
                var handles = await Task.WhenAll(prompts.Select((p, i) => server.Client.StartWorkflowAsync(
                    (ModelCallsSurviveWorkerKillWorkflow w) => w.RunAsync(new ModelCallKillInput(p, (int)options.CallTimeout.TotalMilliseconds)),
                    server.Options($"model-kill-w{i.ToString(CultureInfo.InvariantCulture)}", queue))));
                await Eventually.HoldsAsync(() => Task.FromResult(endpoint.Holding.Count == options.Runs || workers[^1].ExitedOnItsOwn), options.HoldBound, cancellation);
                var allHeld = endpoint.Holding.Count == options.Runs && !await ExitedAsync();
                var heldAtKill = endpoint.Holding.ToDictionary(h => h.Request.LastUser, h => h.HeldFor, StringComparer.Ordinal);
                TimeSpan? killedAt = null;
                if (allHeld)
                {
                    await killed.KillAsync(cancellation);
                    killedAt = clock.Elapsed;
                    log($"SIGKILL {killed.Identity} (pid {killed.ProcessId}) at {At()} with {heldAtKill.Count} model calls held open");
                }
                else
                {
                    log($"no kill: {endpoint.Holding.Count} of {options.Runs} runs reached their held call within {options.HoldBound.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s; {killed.Describe()}");
                }

                // The requests the kill interrupted, counted before anything is let go.
                var beforeKill = endpoint.Seen.GroupBy(r => r.LastUser, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

                // Only now, with the worker gone, does the endpoint let go of the held requests; their answers go to a dead socket.
                release.TrySetResult();
                if (allHeld)
                {
                    StartWorker();
                }

                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                var waits = Task.WhenAll(handles.Select(async h =>
                {
                    try
                    {
                        return (Answers: await h.GetResultAsync(rpcOptions: new RpcOptions { CancellationToken = stop.Token }), Failure: (string?)null);
                    }
                    catch (Exception e) when (e is TemporalException or OperationCanceledException)
                    {
                        return (Answers: (IReadOnlyList<ModelAnswer>?)null, Failure: $"{h.Id}: {Observe.DescribeChain(e)}");
                    }
                }));
                while (!waits.IsCompleted)
                {
                    await Task.WhenAny(waits, Task.Delay(TimeSpan.FromMilliseconds(100), cancellation));
                    if (!waits.IsCompleted && await ExitedAsync())
                    {
                        await stop.CancelAsync();
                    }
                }

                var outcomes = await waits;
                var recovery = killedAt is { } k ? clock.Elapsed - k : (TimeSpan?)null;
                log($"every run returned at {At()}{(recovery is { } took ? $", {took.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s after the kill" : string.Empty)}");

                var histories = await Task.WhenAll(handles.Select(h => h.FetchHistoryAsync(new WorkflowHistoryEventFetchOptions { Rpc = new RpcOptions { CancellationToken = cancellation } })));
                var served = endpoint.Seen;
                var calls = new List<ModelCallSighting>();
                for (var r = 0; r < prompts.Count; r++)
                {
                    var recorded = RecordedCalls(histories[r]);
                    for (var c = 0; c < prompts[r].Count; c++)
                    {
                        var prompt = prompts[r][c];
                        var requests = served.Where(s => s.LastUser == prompt).OrderBy(s => s.Index).ToList();
                        recorded.TryGetValue(prompt, out var history);
                        var answers = outcomes[r].Answers;
                        calls.Add(new ModelCallSighting(
                            $"w{r.ToString(CultureInfo.InvariantCulture)}",
                            c + 1,
                            allHeld && heldAtKill.TryGetValue(prompt, out var heldFor) ? heldFor : null,
                            beforeKill.GetValueOrDefault(prompt),
                            requests.Count,
                            history.Attempt,
                            history.CompletedBy,
                            answers is not null && c < answers.Count && requests.Count > 0 && answers[c].Text == Answer(requests[^1])));
                    }
                }

                var observation = new ModelCallKillObservation(killed.Identity, options.CallTimeout, allHeld, calls, outcomes.Select(o => o.Failure).OfType<string>().ToList(), exit);
                return new ModelCallKillRun(observation, histories, clock.Elapsed, recovery, workers.Count);
            });
        }
        finally
        {
            release.TrySetResult();
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            journal.Dispose();
            foreach (var file in new[] { ledger, ledger + "-wal", ledger + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>What the endpoint answers: names the request, so an answer proves which request produced it.</summary>
    private static string Answer(ChatRequestSeen request) => $"answer #{request.Index.ToString(CultureInfo.InvariantCulture)} to {request.LastUser}";

    /// <summary>Per prompt, the attempt on its ActivityTaskStarted event and the identity on its ActivityTaskCompleted event.</summary>
    private static Dictionary<string, (int? Attempt, string? CompletedBy)> RecordedCalls(WorkflowHistory history)
    {
        var calls = new Dictionary<string, (int?, string?)>(StringComparer.Ordinal);
        foreach (var scheduled in ActivityEvents.Scheduled(history, ModelActivities.CompleteChat))
        {
            var prompt = HistoryProbe.DecodeFirst<ChatPrompt>(scheduled.ActivityTaskScheduledEventAttributes.Input).Prompt;
            var started = history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskStarted && e.ActivityTaskStartedEventAttributes.ScheduledEventId == scheduled.EventId);
            var completed = history.Events.FirstOrDefault(e => e.EventType == EventType.ActivityTaskCompleted && e.ActivityTaskCompletedEventAttributes.ScheduledEventId == scheduled.EventId);
            calls[prompt] = (started?.ActivityTaskStartedEventAttributes.Attempt, completed?.ActivityTaskCompletedEventAttributes.Identity);
        }

        return calls;
    }
}
