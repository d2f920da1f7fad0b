namespace DurableEval.Workflows.Agents;

/// <summary>One model call: the prompt, optional instructions (system message) and model id, all visible in history as activity input.</summary>
public sealed record ChatPrompt(string Prompt, string? Instructions = null, string? Model = null);

/// <summary>The model's answer and the activity attempt that got it.</summary>
public sealed record ModelAnswer(string Text, int Attempt);

/// <summary>A streamed answer: the text and how many non-empty chunks it arrived in.</summary>
public sealed record StreamedAnswer(string Text, int Chunks);

/// <summary>Heartbeat details of a streaming activity: the progress a client can see while it streams.</summary>
public sealed record StreamProgress(int Chunks, string TextSoFar);

/// <summary>A tool call the model proposed: its call id, tool name and JSON arguments.</summary>
public sealed record ToolCallRequest(string CallId, string Name, string ArgumentsJson);

/// <summary>
/// One message of an agent's transcript, kept as plain data in workflow state (deterministic, serializable); the
/// model activity turns it into Microsoft.Extensions.AI chat messages.
/// </summary>
public sealed record AgentMessage(string Role, string? Text, IReadOnlyList<ToolCallRequest>? Calls = null, string? CallId = null)
{
    public static AgentMessage User(string text) => new("user", text);

    public static AgentMessage Assistant(IReadOnlyList<ToolCallRequest> calls) => new("assistant", null, calls);

    public static AgentMessage ToolResult(string callId, string observation) => new("tool", observation, null, callId);
}

/// <summary>Input of one model turn: instructions, the tools the agent may use, and the transcript so far.</summary>
public sealed record AgentTurnInput(string Instructions, IReadOnlyList<string> Tools, IReadOnlyList<AgentMessage> Transcript);

/// <summary>What one model turn produced: tool calls to run, or (when there are none) the final text.</summary>
public sealed record AgentTurnResult(IReadOnlyList<ToolCallRequest> Calls, string Text);

/// <summary>
/// An agent run: the goal, instructions, tools, a turn bound, and optionally a turn after which the run parks until
/// resumed (so a fact can lose the worker mid-loop at a known point).
/// </summary>
public sealed record AgentRequest(string Goal, string Instructions, IReadOnlyList<string> Tools, int MaxTurns, int? PauseAfterTurn = null);

/// <summary>One tool call's outcome as the agent saw it.</summary>
public sealed record ToolObservation(string Tool, string Observation);

/// <summary>The agent's final answer, the turns it took, and every tool observation fed back to the model.</summary>
public sealed record AgentOutcome(string Answer, int Turns, bool Finished, IReadOnlyList<ToolObservation> Observations);
