using DurableEval.Workflows.Agents;

namespace DurableEval.Tests.Criteria.Agents;

/// <summary>Model scripts for the agent facts: which tool calls the model proposes at each turn, then its answer.</summary>
public static class AgentScripts
{
    /// <summary>
    /// A model that proposes the given batches of tool calls, one batch per turn (the turn is read from how many
    /// tool results the request carries), then answers with every tool result it was sent, in order. The answer
    /// therefore proves the results reached the model.
    /// </summary>
    public static Func<ChatRequestSeen, ScriptedReply> ProposeThenAnswer(params ScriptedToolCall[][] turns) => request =>
    {
        var fed = request.ToolResults.Count;
        var proposed = 0;
        foreach (var batch in turns)
        {
            if (fed == proposed)
            {
                return ScriptedReply.ToolCalls(batch);
            }

            proposed += batch.Length;
        }

        return ScriptedReply.Text(FinalAnswer(request.ToolResults.Select(r => r.Content)));
    };

    public static string FinalAnswer(IEnumerable<string> observations) => "Final: " + string.Join(" | ", observations);

    public static ScriptedToolCall Call(string id, string tool, string argumentsJson) => new(id, tool, argumentsJson);

    public static AgentRequest Request(string goal, IReadOnlyList<string> tools, int? pauseAfterTurn = null) =>
        new(goal, "Use the tools, then answer with what they returned.", tools, MaxTurns: 6, pauseAfterTurn);
}
