using System.Collections.Concurrent;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using OpenAI;

namespace DurableEval.Tests.Criteria.Agents;

/// <summary>What the endpoint saw in one chat-completions request: the oracle for "the model was (not) called".</summary>
public sealed record ChatRequestSeen(int Index, string Model, bool Stream, IReadOnlyList<SeenMessage> Messages, IReadOnlyList<string> Tools)
{
    /// <summary>The text of the last user message: what this turn asks.</summary>
    public string LastUser => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";

    /// <summary>Tool results fed back to the model in this request, by tool call id.</summary>
    public IReadOnlyList<SeenMessage> ToolResults => Messages.Where(m => m.Role == "tool").ToList();
}

public sealed record SeenMessage(string Role, string Content, string? ToolCallId);

/// <summary>What the endpoint answers to one request.</summary>
public abstract record ScriptedReply
{
    public static ScriptedReply Text(string text) => new TextReply(text);

    public static ScriptedReply ToolCalls(params ScriptedToolCall[] calls) => new ToolCallsReply(calls);

    public static ScriptedReply Streamed(IReadOnlyList<string> chunks, TimeSpan gap) => new StreamReply(chunks, gap);

    public static ScriptedReply TooManyRequests(int retryAfterSeconds) => new RateLimitedReply(retryAfterSeconds);

    public static ScriptedReply Hang() => new HangReply();

    /// <summary>Holds the request open until <paramref name="release"/> completes, then answers <paramref name="then"/> (if the caller is still there).</summary>
    public static ScriptedReply HoldUntil(Task release, ScriptedReply then) => new HeldReply(release, then);
}

public sealed record TextReply(string Content) : ScriptedReply;

public sealed record ToolCallsReply(IReadOnlyList<ScriptedToolCall> Calls) : ScriptedReply;

public sealed record StreamReply(IReadOnlyList<string> Chunks, TimeSpan Gap) : ScriptedReply;

public sealed record RateLimitedReply(int RetryAfterSeconds) : ScriptedReply;

public sealed record HangReply : ScriptedReply;

public sealed record HeldReply(Task Release, ScriptedReply Then) : ScriptedReply;

/// <summary>A request the endpoint is holding open, and the <see cref="System.Diagnostics.Stopwatch"/> timestamp its hold began.</summary>
public sealed record HeldRequest(ChatRequestSeen Request, long SinceTimestamp)
{
    public TimeSpan HeldFor => System.Diagnostics.Stopwatch.GetElapsedTime(SinceTimestamp);
}

public sealed record ScriptedToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>
/// A small OpenAI-compatible chat-completions endpoint on a free loopback port, scripted per test. The real
/// OpenAI client (through Microsoft.Extensions.AI) talks to it over HTTP, so the serializer, the SSE parser and the
/// client's own error handling run as they would against a hosted model; no network, no keys. It counts every
/// request it receives.
/// </summary>
public sealed class ScriptedChatEndpoint : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<ChatRequestSeen> seen = new();
    private readonly ConcurrentDictionary<int, HeldRequest> holding = new();
    private readonly Task loop;
    private int requests;

    public ScriptedChatEndpoint(Func<ChatRequestSeen, ScriptedReply> script)
    {
        Script = script;
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/v1/");
        listener.Prefixes.Add($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
        listener.Start();
        loop = Task.Run(AcceptAsync);
    }

    /// <summary>The script; a test may swap it (e.g. a model that now answers differently).</summary>
    public Func<ChatRequestSeen, ScriptedReply> Script { get; set; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>Every chat-completions request received, whatever was answered (429s and hangs included).</summary>
    public int Requests => Volatile.Read(ref requests);

    public IReadOnlyList<ChatRequestSeen> Seen => seen.ToList();

    /// <summary>The requests a <see cref="HeldReply"/> is holding open right now, oldest first, with since when.</summary>
    public IReadOnlyList<HeldRequest> Holding => holding.Values.OrderBy(r => r.Request.Index).ToList();

    /// <summary>
    /// The real OpenAI chat client behind Microsoft.Extensions.AI's IChatClient, pointed here. Its own retry policy
    /// is switched off (maxRetries 0) so that every retry is Temporal's and the request count is exact.
    /// </summary>
    public IChatClient ChatClient(string model = "scripted-model")
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = BaseAddress,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        };
        return new OpenAI.Chat.ChatClient(model, new ApiKeyCredential("no-key-needed"), options).AsIChatClient();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        listener.Close();
        try
        {
            await loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // The listener was closed under the accept loop: the expected way it ends.
        }

        stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // Each request on its own task: a hanging answer must not block the next request.
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            if (!context.Request.Url!.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync(stop.Token))!;
            var request = Parse(Interlocked.Increment(ref requests), body);
            seen.Enqueue(request);
            await AnswerAsync(context.Response, request, Script(request));
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client went away (a timed-out or cancelled call) or the endpoint is shutting down.
        }
    }

    private static ChatRequestSeen Parse(int index, JsonNode body)
    {
        var messages = body["messages"]?.AsArray().Select(m => new SeenMessage(
            m!["role"]?.GetValue<string>() ?? "",
            ContentText(m["content"]),
            m["tool_call_id"]?.GetValue<string>())).ToList() ?? [];
        var tools = body["tools"]?.AsArray().Select(t => t!["function"]?["name"]?.GetValue<string>() ?? "").ToList() ?? [];
        return new(index, body["model"]?.GetValue<string>() ?? "", body["stream"]?.GetValue<bool>() ?? false, messages, tools);
    }

    // Content is a string or an array of parts, depending on the client's serializer.
    private static string ContentText(JsonNode? content) => content switch
    {
        null => "",
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => content.GetValueKind() == JsonValueKind.String ? content.GetValue<string>() : content.ToJsonString(),
    };

    private async Task AnswerAsync(HttpListenerResponse response, ChatRequestSeen request, ScriptedReply reply)
    {
        switch (reply)
        {
            case TextReply text:
                await WriteJsonAsync(response, 200, Completion(request, new JsonObject { ["role"] = "assistant", ["content"] = text.Content }, "stop"));
                break;
            case ToolCallsReply calls:
                var toolCalls = new JsonArray(calls.Calls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
                }).ToArray());
                await WriteJsonAsync(response, 200, Completion(request, new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = toolCalls }, "tool_calls"));
                break;
            case RateLimitedReply limited:
                response.Headers["Retry-After"] = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await WriteJsonAsync(response, 429, new JsonObject
                {
                    ["error"] = new JsonObject { ["message"] = "Rate limit reached, retry later", ["type"] = "rate_limit_exceeded", ["code"] = "rate_limit_exceeded" },
                });
                break;
            case StreamReply stream:
                await StreamAsync(response, request, stream);
                break;
            case HeldReply held:
                holding[request.Index] = new HeldRequest(request, System.Diagnostics.Stopwatch.GetTimestamp());
                try
                {
                    await held.Release.WaitAsync(stop.Token);
                }
                finally
                {
                    holding.TryRemove(request.Index, out _);
                }

                await AnswerAsync(response, request, held.Then);
                break;
            case HangReply:
                // Holds the request open until the endpoint shuts down: the caller must time out on its own.
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token);
                break;
        }
    }

    private async Task StreamAsync(HttpListenerResponse response, ChatRequestSeen request, StreamReply stream)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var output = response.OutputStream;
        for (var i = 0; i < stream.Chunks.Count; i++)
        {
            if (i > 0)
            {
                await Task.Delay(stream.Gap, stop.Token);
            }

            var delta = new JsonObject { ["content"] = stream.Chunks[i] };
            if (i == 0)
            {
                delta["role"] = "assistant";
            }

            await WriteEventAsync(output, Chunk(request, delta, null));
        }

        await WriteEventAsync(output, Chunk(request, new JsonObject(), "stop"));
        await output.WriteAsync(Encoding.UTF8.GetBytes("data: [DONE]\n\n"), stop.Token);
        await output.FlushAsync(stop.Token);
        response.Close();
    }

    private async Task WriteEventAsync(Stream output, JsonObject chunk)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes($"data: {chunk.ToJsonString()}\n\n"), stop.Token);
        await output.FlushAsync(stop.Token);
    }

    private static JsonObject Completion(ChatRequestSeen request, JsonObject message, string finish) => new()
    {
        ["id"] = $"chatcmpl-{request.Index.ToString(CultureInfo.InvariantCulture)}",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = request.Model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finish }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
    };

    private static JsonObject Chunk(ChatRequestSeen request, JsonObject delta, string? finish) => new()
    {
        ["id"] = $"chatcmpl-{request.Index.ToString(CultureInfo.InvariantCulture)}",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = request.Model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private async Task WriteJsonAsync(HttpListenerResponse response, int status, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, stop.Token);
        response.Close();
    }
}
