namespace DurableEval.Evaluation;

/// <summary>
/// Agent Framework workflows' (Microsoft.Agents.AI.Workflows 1.28) support level for each criterion: Native where the
/// framework provides the feature, Pattern where its documentation shows how an application builds it from the
/// framework's parts, Custom where the application must build it alone. Each source names the page (under
/// learn.microsoft.com/agent-framework/), or the package's own API reference, that says so. Every criterion applies: the
/// framework is a library in the application's process, and what a server would do (retention, availability,
/// tenancy, supervision) is then the application's to do, which is a support level, not an absence of the concept.
/// </summary>
public static class AgentFrameworkScope
{
    private const string Checkpoints = "workflows/checkpoints";
    private const string HumanInTheLoop = "workflows/human-in-the-loop";
    private const string Edges = "user-guide/workflows/core-concepts/edges";
    private const string Observability = "workflows/observability";

    public static IReadOnlyDictionary<string, Applicability> Table { get; } = new Dictionary<string, Applicability>(StringComparer.Ordinal)
    {
        ["EX-01"] = Applicability.With(SupportLevel.Pattern, $"checkpoints at the end of each superstep to a CheckpointManager store; after a crash the application finds the session's latest checkpoint and resumes it ({Checkpoints})"),
        ["EX-02"] = Applicability.With(SupportLevel.Custom, $"no recorded step results or idempotency key: executors after the restored checkpoint run again, effects included ({Checkpoints}); the API gives an executor no attempt number or key"),
        ["EX-03"] = Applicability.With(SupportLevel.Custom, "a session id can be given to a run (InProcessExecution.RunStreamingAsync sessionId), but nothing documents refusing a second run with the same id"),
        ["EX-04"] = Applicability.With(SupportLevel.Native, $"a checkpoint captures executor state, pending messages, pending requests and shared state ({Checkpoints})"),
        ["EX-05"] = Applicability.With(SupportLevel.Custom, $"no replay, so no determinism rules and no checks: a run resumes from state snapshots ({Checkpoints})"),
        ["EX-06"] = Applicability.With(SupportLevel.Custom, $"no replay, so no nondeterminism detection; restoring checks only that the checkpoint's graph matches the workflow ({Checkpoints}; observed in VR-01)"),
        ["EX-07"] = Applicability.With(SupportLevel.Pattern, $"restoring or rehydrating from any checkpoint, in the same or a new process; not replay of a history ({Checkpoints})"),
        ["RT-01"] = Applicability.With(SupportLevel.Custom, "no retry policy for executors (the API reference has none on Executor, ExecutorOptions or WorkflowBuilder); a failing executor ends the run (observed in AI-01)"),
        ["RT-02"] = Applicability.With(SupportLevel.Custom, "no executor or run timeouts in the API reference; a CancellationToken is all there is"),
        ["RT-03"] = Applicability.With(SupportLevel.Custom, "no circuit breaker; executor or shared state can hold one"),
        ["RT-04"] = Applicability.With(SupportLevel.Custom, "no heartbeats: work runs in the application's process, so nothing watches a long executor"),
        ["WF-01"] = Applicability.With(SupportLevel.Native, $"executors (Executor<TInput, TOutput>, function executors, agents) are the steps of a workflow graph ({Edges})"),
        ["WF-02"] = Applicability.With(SupportLevel.Native, "a workflow runs inside another as an executor (sub-workflows: ExecutorBindingExtensions.BindAsExecutor(Workflow), API reference)"),
        ["WF-03"] = Applicability.With(SupportLevel.Native, $"fan-out and fan-in (barrier) edges; the executors of one superstep run concurrently ({Edges})"),
        ["WF-04"] = Applicability.With(SupportLevel.Native, $"conditional edges, switch-case edges and edges back to an earlier executor ({Edges})"),
        ["WF-05"] = Applicability.With(SupportLevel.Custom, "no durable timer or sleep: nothing in the API reference schedules work for later"),
        ["WF-06"] = Applicability.With(SupportLevel.Custom, "no queues, concurrency or rate limits: executors run in the application's process"),
        ["SG-01"] = Applicability.With(SupportLevel.Pattern, $"outside input reaches a waiting run as a response to its RequestPort request, including after a restore from a checkpoint ({HumanInTheLoop}, {Checkpoints})"),
        ["SG-02"] = Applicability.With(SupportLevel.Pattern, $"a RequestPort halts the run until the response arrives ({HumanInTheLoop}); the page gives the wait no deadline, so a timeout is the application's own timer answering the request"),
        ["SG-03"] = Applicability.With(SupportLevel.Custom, "runs start only from application code (InProcessExecution); no triggers or schedules"),
        ["SG-04"] = Applicability.With(SupportLevel.Custom, "no query of a run's state: the application watches the event stream and the run status (StreamingRun.WatchStreamAsync, GetStatusAsync)"),
        ["VR-01"] = Applicability.With(SupportLevel.Custom, $"no workflow versioning: a checkpoint resumes into whatever code the process has, refused only when the graph differs ({Checkpoints}; observed in VR-01)"),
        ["VR-02"] = Applicability.With(SupportLevel.Custom, "no history to test new code against; no breaking-change detection beyond the graph check on restore"),
        ["VR-03"] = Applicability.With(SupportLevel.Custom, "no side-by-side versions: old checkpoints meet the code the application deploys"),
        ["VR-04"] = Applicability.With(SupportLevel.Pattern, "checkpoints are JSON (CheckpointManager.CreateJson takes the application's JsonSerializerOptions, API reference); evolving the types is the application's"),
        ["CP-01"] = Applicability.With(SupportLevel.Custom, "no compensation support; an application builds a saga from executors and edges"),
        ["CP-02"] = Applicability.With(SupportLevel.Pattern, $"resume from the last checkpoint; executors after it run again ({Checkpoints})"),
        ["CP-03"] = Applicability.With(SupportLevel.Pattern, $"a run pauses at a RequestPort until a person answers ({HumanInTheLoop}) and can be cancelled (StreamingRun.CancelRunAsync, API reference); no terminate or reset across processes"),
        ["CP-04"] = Applicability.With(SupportLevel.Custom, "no dead-letter handling: a failed run reports WorkflowErrorEvent/ExecutorFailedEvent to the application watching it, and nothing keeps it"),
        ["PF-01"] = Applicability.With(SupportLevel.Native, $"executors run in-process, one superstep per step of a chain, with a checkpoint write per superstep when checkpointing is on ({Checkpoints})"),
        ["PF-02"] = Applicability.With(SupportLevel.Native, $"fan-out edges run their targets in the same superstep ({Edges})"),
        ["PF-03"] = Applicability.With(SupportLevel.Custom, "no documented payload limit or codec: messages are in-process objects, checkpoints JSON files of any size"),
        ["OP-01"] = Applicability.With(SupportLevel.Native, "a NuGet library running in the application's own process (InProcessExecution); nothing to deploy beside it"),
        ["OP-02"] = Applicability.With(SupportLevel.Custom, "no management API: a run is a StreamingRun handle inside one process; listing, describing or terminating runs elsewhere is the application's"),
        ["OP-03"] = Applicability.With(SupportLevel.Pattern, $"checkpoint stores are pluggable (ICheckpointStore: in-memory and a local-folder JSON store ship; the repository's samples add Redis and PostgreSQL) ({Checkpoints})"),
        ["OP-04"] = Applicability.With(SupportLevel.Custom, "no work distribution: a run lives in the process that runs it; spreading runs over processes is the application's"),
        ["OP-05"] = Applicability.With(SupportLevel.Custom, "no retention or cleanup: the store keeps every checkpoint (the file store has no delete), so removing old runs' data is the application's"),
        ["OP-06"] = Applicability.With(SupportLevel.Custom, "no service to make highly available: availability is the hosting application's and its checkpoint store's"),
        ["OP-07"] = Applicability.With(SupportLevel.Custom, "no tenancy: isolating tenants (a store or folder per tenant) is the application's"),
        ["OB-01"] = Applicability.With(SupportLevel.Pattern, "DevUI (Microsoft.Agents.AI.DevUI) runs and visualizes agents and workflows in a web interface, documented as a sample app for development, not for production (integrations/by-component/ui/devui)"),
        ["OB-02"] = Applicability.With(SupportLevel.Native, $"workflows emit OpenTelemetry spans, logs and metrics ({Observability})"),
        ["OB-03"] = Applicability.With(SupportLevel.Custom, $"no event history to fetch: a run's events exist only while it is watched, and checkpoints are its only stored trace ({Checkpoints}); WorkflowVisualizer draws the graph, not a run"),
        ["OB-04"] = Applicability.With(SupportLevel.Native, $"workflow.build, workflow.run, message.send, executor.process and edge_group.process spans, linked across executors ({Observability})"),
        ["OB-05"] = Applicability.With(SupportLevel.Custom, "no alerting; the application alerts on its own telemetry"),
        ["OB-06"] = Applicability.With(SupportLevel.Pattern, $"the framework's telemetry includes logs ({Observability}); executor code logs through the application's ILogger"),
        ["DX-01"] = Applicability.With(SupportLevel.Native, $"typed executors, a graph builder and async/await ({Edges})"),
        ["DX-02"] = Applicability.With(SupportLevel.Native, "Agent Framework currently supports .NET (C#) and Python (support/faq)"),
        ["DX-03"] = Applicability.With(SupportLevel.Native, "in-process execution: a workflow runs in a unit test or console app with nothing else started (InProcessExecution)"),
        ["DX-04"] = Applicability.With(SupportLevel.Custom, "no time skipping and no test doubles for steps; executors are plain objects the application tests itself"),
        ["DX-05"] = Applicability.With(SupportLevel.Native, "ExecutorFailedEvent and WorkflowErrorEvent carry the exception to the watching application; WorkflowBuilder.Build validates the graph (API reference)"),
        ["DX-06"] = Applicability.With(SupportLevel.Custom, "no determinism pitfalls to learn (no replay), but every durability concern (resume, retries, idempotency) is the application's"),
        ["DX-07"] = Applicability.With(SupportLevel.Custom, "no replay and no histories, so no replay harness"),
        ["AI-01"] = Applicability.With(SupportLevel.Pattern, $"an agent (ChatClientAgent) runs as an executor; its reply is kept once its superstep is checkpointed, while the call itself has no retry or timeout ({Checkpoints})"),
        ["AI-02"] = Applicability.With(SupportLevel.Pattern, $"a model's answer passed on as a message is in the next checkpoint, so a restore after it does not ask again ({Checkpoints})"),
        ["AI-03"] = Applicability.With(SupportLevel.Pattern, $"human-in-the-loop through RequestPort requests and responses ({HumanInTheLoop}); no deadline on the wait, so the timeout path is the application's own timer"),
        ["AI-04"] = Applicability.With(SupportLevel.Native, "agent executors stream their updates as AgentResponseUpdateEvent workflow events to the watching application (StreamingRun.WatchStreamAsync, API reference)"),
        ["AI-05"] = Applicability.With(SupportLevel.Native, "the Agent Framework itself: agents are executors, with sequential, concurrent, handoff and group-chat builders (AgentWorkflowBuilder, API reference)"),
        ["AI-06"] = Applicability.With(SupportLevel.Custom, "no per-tool retry or timeout: tool calls run inside the agent's model call"),
    };
}
