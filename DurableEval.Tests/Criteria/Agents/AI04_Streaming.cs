using System.Diagnostics;
using DurableEval.Tests.Criteria.Agents;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Agents;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Converters;
using Temporalio.Testing;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class AgentFacts
{
    [SkippableFact]
    [Criterion("AI-04")]
    public async Task AI04_Streaming()
    {
        string[] chunks = ["Durable ", "execution ", "keeps ", "agents ", "going ", "through ", "worker ", "loss."];
        var gap = TimeSpan.FromMilliseconds(250);
        var fact = Begin();
        fact.Finding("Temporal has no native streaming across the workflow boundary: a workflow or client cannot consume an activity's token stream. Streaming is custom: heartbeat details per chunk (visible through describe, throttled), a side channel, or a signal per chunk (each one a history event and a workflow task).");

        await fact.OfflineAsync(
            [Core("heartbeat-per-chunk", $"The streaming model activity, reading SSE from the real OpenAI client, heartbeats once per chunk ({chunks.Length} chunks) with the text so far")],
            async checks =>
            {
                await using var host = AgentHost.Start(_ => ScriptedReply.Streamed(chunks, TimeSpan.Zero));
                var beats = new List<StreamProgress>();
                var environment = new ActivityEnvironment { Heartbeater = details => beats.Add((StreamProgress)details[0]!) };
                var answer = await environment.RunAsync(() => host.Models.StreamAsync(new ChatPrompt("stream please")));
                var expected = chunks.Select((_, i) => new StreamProgress(i + 1, string.Concat(chunks.Take(i + 1)))).ToList();
                checks.Expect(
                    "heartbeat-per-chunk",
                    beats.SequenceEqual(expected) && answer == new StreamedAnswer(string.Concat(chunks), chunks.Length) && host.Endpoint.Seen.Single().Stream,
                    $"{beats.Count} heartbeats for {chunks.Length} chunks (counts {string.Join(",", beats.Select(b => b.Chunks))}); answer '{answer.Text}' in {answer.Chunks} chunks; request streamed: {host.Endpoint.Seen.FirstOrDefault()?.Stream}");
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("progress-visible", "While the activity streams, a client describing the workflow sees the heartbeat progress (a partial chunk count and text prefix) before the run completes"),
                Core("final-text-in-workflow", "The workflow receives the whole streamed text as the activity result"),
                Edge("signal-per-chunk", "The signal-per-chunk pattern delivers every chunk to the workflow (one WorkflowExecutionSignaled per chunk) and its query shows partial text mid-stream"),
            ],
            async (server, checks) =>
            {
                await using var host = AgentHost.Start(_ => ScriptedReply.Streamed(chunks, gap));
                var queue = server.NewTaskQueue("stream");

                // Heartbeats are throttled to 80% of the heartbeat timeout by default; a short cap lets each chunk reach the server.
                var options = host.Worker(queue).AddWorkflow<HeartbeatStreamWorkflow>().AddWorkflow<SignalStreamWorkflow>();
                options.MaxHeartbeatThrottleInterval = TimeSpan.FromMilliseconds(100);
                await using var worker = RunningWorker.Start(server.Client, options);

                var clock = Stopwatch.StartNew();
                var handle = await server.Client.StartWorkflowAsync((HeartbeatStreamWorkflow w) => w.RunAsync(new ChatPrompt("stream please")), server.Options("heartbeat", queue));
                var result = server.Environment.WithAutoTimeSkippingDisabledAsync(() => handle.GetResultAsync()); // no timers; see AI-02
                var seen = new List<StreamProgress>();
                double? firstVisibleMs = null;
                while (!result.IsCompleted && clock.Elapsed < Observe.Bound)
                {
                    var described = await server.Client.WorkflowService.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionRequest
                    {
                        Namespace = server.Client.Options.Namespace,
                        Execution = new WorkflowExecution { WorkflowId = handle.Id },
                    });
                    var pending = described.PendingActivities.FirstOrDefault();
                    if (pending?.HeartbeatDetails is { Payloads_.Count: > 0 } details)
                    {
                        var progress = DataConverter.Default.PayloadConverter.ToValue<StreamProgress>(details.Payloads_[0]);
                        if (seen.Count == 0 || seen[^1] != progress)
                        {
                            seen.Add(progress);
                            firstVisibleMs ??= clock.Elapsed.TotalMilliseconds;
                        }
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(20), checks.Cancellation);
                }

                var answer = await result;
                var completedMs = clock.Elapsed.TotalMilliseconds;
                var full = string.Concat(chunks);
                var partial = seen.Where(p => p.Chunks < chunks.Length && full.StartsWith(p.TextSoFar, StringComparison.Ordinal) && p.TextSoFar == string.Concat(chunks.Take(p.Chunks))).ToList();
                if (firstVisibleMs is { } first)
                {
                    fact.Metric("time_to_first_visible_chunk_ms", first, "ms");
                }

                fact.Metric("time_to_completion_ms", completedMs, "ms");
                checks.Expect(
                    "progress-visible",
                    partial.Count > 0 && firstVisibleMs < completedMs,
                    $"describe showed progress [{string.Join(",", seen.Select(p => p.Chunks))}] of {chunks.Length} chunks, {partial.Count} partial; first visible at {firstVisibleMs?.ToString("0", System.Globalization.CultureInfo.InvariantCulture) ?? "never"} ms, completed at {completedMs:0} ms");
                checks.Expect(
                    "final-text-in-workflow",
                    answer == new StreamedAnswer(full, chunks.Length),
                    $"workflow got '{answer.Text}' in {answer.Chunks} chunks");
                var heartbeatHistory = await handle.FetchHistoryAsync();

                var signalled = await server.Client.StartWorkflowAsync((SignalStreamWorkflow w) => w.RunAsync(new ChatPrompt("stream please")), server.Options("signals", queue));
                var signalResult = server.Environment.WithAutoTimeSkippingDisabledAsync(() => signalled.GetResultAsync());
                var partials = new List<string>();
                while (!signalResult.IsCompleted && partials.Count < 1000)
                {
                    var text = await signalled.QueryAsync(w => w.Partial);
                    if (text.Length > 0 && text.Length < full.Length && (partials.Count == 0 || partials[^1] != text))
                    {
                        partials.Add(text);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(20), checks.Cancellation);
                }

                var signalAnswer = await signalResult;
                var signalHistory = await signalled.FetchHistoryAsync();
                var signals = HistoryProbe.Count(signalHistory, EventType.WorkflowExecutionSignaled);
                var extraEvents = signalHistory.Events.Count - heartbeatHistory.Events.Count;
                var extraTasks = HistoryProbe.Count(signalHistory, EventType.WorkflowTaskCompleted) - HistoryProbe.Count(heartbeatHistory, EventType.WorkflowTaskCompleted);
                fact.Metric("heartbeat_pattern_history_events", heartbeatHistory.Events.Count, "events");
                fact.Metric("signal_pattern_history_events", signalHistory.Events.Count, "events");
                fact.Metric("signal_pattern_extra_events_per_chunk", (double)extraEvents / chunks.Length, "events/chunk");
                fact.Metric("signal_pattern_extra_workflow_tasks", extraTasks, "tasks");
                checks.Expect(
                    "signal-per-chunk",
                    signals == chunks.Length && signalAnswer == new StreamedAnswer(full, chunks.Length) && partials.Count > 0,
                    $"{signals} WorkflowExecutionSignaled for {chunks.Length} chunks; history {signalHistory.Events.Count} events vs {heartbeatHistory.Events.Count} with heartbeats ({extraEvents} extra, {extraTasks} extra workflow tasks); query showed {partials.Count} partial texts mid-stream");
            });
        fact.Cite(
            "Activities report progress through heartbeats, whose details are visible on the pending activity (describe) and throttled by the SDK.",
            "https://docs.temporal.io/encyclopedia/detecting-activity-failures#activity-heartbeat");
        fact.Conclude();
    }
}
