using System.Diagnostics;
using System.Globalization;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.AgentFramework;
using DurableEval.Workflows.Shared;

namespace DurableEval.Tests.AgentFramework;

/// <summary>What a model call killed with its process showed: requests for its prompt at the kill and in all, and the run's output.</summary>
public sealed record ModelCallKillSighting(bool Held, int RequestsAtKill, int Requests, string? Output, string? AnswerServed, string? WorkerFailure, TimeSpan Elapsed)
{
    /// <summary>The kill landed on the call in flight; the resumed run re-issued it exactly once and yielded what the endpoint answered to the re-issue.</summary>
    public OracleVerdict Verdict() =>
        WorkerFailure is not null ? OracleVerdict.Of(false, $"the worker failed: {WorkerFailure}")
        : !Held ? OracleVerdict.NotRun("the kill did not land during the model call: the endpoint never held its request")
        : OracleVerdict.Of(
            RequestsAtKill == 1 && Requests == 2 && Output is not null && Output == AnswerServed,
            $"{RequestsAtKill} request(s) for the prompt when the worker process was killed mid-call, {Requests} in all (expected 1 and 2); the resumed run yielded "
            + $"{(Output is null ? "nothing" : $"'{Output}'")}, the endpoint's answer to the last request was '{AnswerServed}'");
}

/// <summary>
/// A model call in a DurableEval.Worker process (--host agentframework, runs are <see cref="ModelCallWorkflow"/>),
/// killed hard (SIGKILL) while the loopback endpoint holds its request open; a fresh process resumes the run from its
/// latest checkpoint (taken after "prepare"), and the endpoint counts what the re-issue cost.
/// </summary>
public static class ModelCallProcessKill
{
    public static async Task<ModelCallKillSighting> RunAsync(Action<string> log, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var session = new CheckpointedSession($"af-{tag}-model", 0);
        var prompt = ModelCallWorkflow.Prompt(session.Id);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        await using var endpoint = new ScriptedChatEndpoint(request =>
        {
            var answer = ScriptedReply.Text(Answer(request));
            return request.LastUser == prompt && Interlocked.Increment(ref held) == 1 ? ScriptedReply.HoldUntil(release.Task, answer) : answer;
        });
        var folder = AgentFrameworkHostInfo.NewCheckpointFolder("model-kill");
        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-af-model-kill-{tag}.db");
        var settings = new AgentFrameworkWorkerSettings(folder, [session], Steps: 0, WorkMilliseconds: 0)
        {
            ModelEndpoint = endpoint.BaseAddress.ToString(),
            ModelApiKey = "loopback-endpoint-needs-no-key",
        };
        var workers = new List<WorkerProcess>();
        WorkerProcess Start()
        {
            var worker = WorkerProcess.Start(new WorkerLaunch(
                Connection: settings, TaskQueue: "agentframework", LedgerPath: ledger, Cache: false,
                Identity: $"worker-{(workers.Count + 1).ToString(CultureInfo.InvariantCulture)}", Host: ["--host", "agentframework"]));
            workers.Add(worker);
            return worker;
        }

        try
        {
            using var journal = StepJournal.Open(ledger);
            var first = Start();
            var until = clock.Elapsed + TimeSpan.FromSeconds(30);
            while (!endpoint.Holding.Any(h => h.Request.LastUser == prompt) && !first.HasExited && clock.Elapsed < until)
            {
                await Task.Delay(10, cancellation);
            }

            if (!endpoint.Holding.Any(h => h.Request.LastUser == prompt))
            {
                return new ModelCallKillSighting(false, endpoint.Seen.Count(r => r.LastUser == prompt), endpoint.Seen.Count(r => r.LastUser == prompt), null, null,
                    first.HasExited ? first.Describe() : null, clock.Elapsed);
            }

            await first.KillAsync(cancellation);
            journal.Killed(first.Identity, "during the model call");
            var atKill = endpoint.Seen.Count(r => r.LastUser == prompt);
            log($"killed {first.Identity} with its model call held ({atKill} request(s) so far)");

            // The held request is answered to nobody: its caller died with the process.
            release.TrySetResult();
            var second = Start();
            string? output = null;
            until = clock.Elapsed + TimeSpan.FromSeconds(30);
            while (output is null && !(second.HasExited && second.ExitCode != 0) && clock.Elapsed < until)
            {
                await Task.Delay(20, cancellation);
                output = journal.ReadAll().FirstOrDefault(r => r.Kind == JournalKind.Result && r.WorkflowId == session.Id)?.Detail;
            }

            var seen = endpoint.Seen.Where(r => r.LastUser == prompt).OrderBy(r => r.Index).ToList();
            var failure = output is null && second.HasExited ? second.Describe() : null;
            return new ModelCallKillSighting(true, atKill, seen.Count, output, seen.Count > 0 ? Answer(seen[^1]) : null, failure, clock.Elapsed);
        }
        finally
        {
            release.TrySetResult();
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            AgentFrameworkHostInfo.DeleteQuietly(folder);
            AgentFrameworkHostInfo.DeleteQuietly(ledger);
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-wal");
            AgentFrameworkHostInfo.DeleteQuietly(ledger + "-shm");
        }
    }

    public static string Answer(ChatRequestSeen request) => $"answer #{request.Index.ToString(CultureInfo.InvariantCulture)} to {request.LastUser}";
}
