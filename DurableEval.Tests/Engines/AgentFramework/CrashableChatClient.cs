using Microsoft.Extensions.AI;

namespace DurableEval.Tests.AgentFramework;

/// <summary>
/// A chat client whose calls in flight all end at once when <see cref="Crash"/> is called, as they would with the
/// process that made them: the workflow never sees their answers.
/// </summary>
internal sealed class CrashableChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly CancellationTokenSource crash = new();

    public void Crash() => crash.Cancel();

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, crash.Token);
        return await base.GetResponseAsync(messages, options, linked.Token).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            crash.Dispose();
        }

        base.Dispose(disposing);
    }
}
