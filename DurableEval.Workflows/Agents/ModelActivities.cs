using System.Text;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Temporalio.Activities;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Model calls as activities. The chat client comes in by dependency injection (any Microsoft.Extensions.AI
/// IChatClient: the OpenAI-compatible client in the facts); the activity is the unit Temporal memoizes, retries
/// and times out, so a workflow never talks to the model itself.
/// </summary>
public sealed class ModelActivities(IChatClient chat, ActivityJournal journal, AgentToolbox toolbox)
{
    public const string CompleteChat = "CompleteChat";
    public const string AgentTurn = "AgentTurn";

    // Arguments go into history as compact JSON (the AI defaults indent).
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    [Activity(CompleteChat)]
    public async Task<ModelAnswer> CompleteAsync(ChatPrompt prompt)
    {
        var context = ActivityExecutionContext.Current;
        journal.Record(context.Info);
        var response = await ModelErrors.GuardAsync(() => chat.GetResponseAsync(Messages(prompt), Options(prompt), context.CancellationToken));
        return new(response.Text, context.Info.Attempt);
    }

    /// <summary>Streams the answer and heartbeats once per chunk, so a client can watch progress through describe.</summary>
    [Activity("StreamChat")]
    public async Task<StreamedAnswer> StreamAsync(ChatPrompt prompt)
    {
        var context = ActivityExecutionContext.Current;
        journal.Record(context.Info);
        var text = new StringBuilder();
        var chunks = 0;
        await foreach (var update in chat.GetStreamingResponseAsync(Messages(prompt), Options(prompt), context.CancellationToken))
        {
            if (string.IsNullOrEmpty(update.Text))
            {
                continue;
            }

            text.Append(update.Text);
            chunks++;
            context.Heartbeat(new StreamProgress(chunks, text.ToString()));
        }

        return new(text.ToString(), chunks);
    }

    /// <summary>The signal-per-chunk pattern: each chunk is sent to the calling workflow as a signal (one history event each).</summary>
    [Activity("StreamChatToWorkflow")]
    public async Task<StreamedAnswer> StreamToWorkflowAsync(ChatPrompt prompt)
    {
        var context = ActivityExecutionContext.Current;
        journal.Record(context.Info);
        var workflow = context.TemporalClient.GetWorkflowHandle<SignalStreamWorkflow>(context.Info.WorkflowId ?? throw new InvalidOperationException("streams back only to a calling workflow"));
        var text = new StringBuilder();
        var chunks = 0;
        await foreach (var update in chat.GetStreamingResponseAsync(Messages(prompt), Options(prompt), context.CancellationToken))
        {
            if (string.IsNullOrEmpty(update.Text))
            {
                continue;
            }

            text.Append(update.Text);
            chunks++;
            await workflow.SignalAsync(w => w.ChunkAsync(update.Text));
        }

        return new(text.ToString(), chunks);
    }

    /// <summary>
    /// One turn of the agent, run by Microsoft Agent Framework's ChatClientAgent. The tools are given to it as
    /// declarations only, so the framework returns the model's tool calls instead of invoking them in-process: the
    /// workflow runs each one as its own activity, which is what makes the loop durable.
    /// </summary>
    [Activity(AgentTurn)]
    public async Task<AgentTurnResult> AgentTurnAsync(AgentTurnInput input)
    {
        var context = ActivityExecutionContext.Current;
        journal.Record(context.Info);
        var agent = new ChatClientAgent(chat, instructions: input.Instructions, name: "durable-agent", tools: toolbox.Declarations(input.Tools));
        var response = await ModelErrors.GuardAsync(() => agent.RunAsync(ToChat(input.Transcript), cancellationToken: context.CancellationToken));
        var calls = response.Messages
            .SelectMany(m => m.Contents.OfType<FunctionCallContent>())
            .Select(c => new ToolCallRequest(c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), CompactJson)))
            .ToList();
        return new(calls, calls.Count == 0 ? response.Text : "");
    }

    public static IList<ChatMessage> ToChat(IEnumerable<AgentMessage> transcript) => transcript.Select(m => m.Role switch
    {
        "assistant" when m.Calls is { Count: > 0 } => new ChatMessage(
            ChatRole.Assistant,
            m.Calls.Select(c => (AIContent)new FunctionCallContent(c.CallId, c.Name, JsonSerializer.Deserialize<Dictionary<string, object?>>(c.ArgumentsJson, AIJsonUtilities.DefaultOptions))).ToList()),
        "tool" => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(m.CallId!, m.Text)]),
        "assistant" => new ChatMessage(ChatRole.Assistant, m.Text),
        _ => new ChatMessage(ChatRole.User, m.Text),
    }).ToList();

    private static List<ChatMessage> Messages(ChatPrompt prompt)
    {
        var messages = new List<ChatMessage>();
        if (prompt.Instructions is not null)
        {
            messages.Add(new(ChatRole.System, prompt.Instructions));
        }

        messages.Add(new(ChatRole.User, prompt.Prompt));
        return messages;
    }

    private static ChatOptions Options(ChatPrompt prompt) => new() { ModelId = prompt.Model };
}
