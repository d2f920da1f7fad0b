using Temporalio.Exceptions;

namespace DurableEval.Tests.Criteria;

/// <summary>Who refused an oversized payload and whether the error says why, judged from the exception alone.</summary>
public sealed record PayloadRejection(string Rejector, string Type, string Message, bool NamesSize)
{
    private static readonly string[] SizeWords = ["larger than", "size", "limit", "too large", "exceeds", "exhausted"];

    /// <summary>
    /// An RpcException is the answer of the gRPC call (the server or its transport); any other exception was
    /// raised in the SDK before anything was sent. "Clear" means the message names size or a limit, so a reader knows what to fix.
    /// </summary>
    public static PayloadRejection? Of(Exception? error)
    {
        if (error is null)
        {
            return null;
        }

        var rejector = error is RpcException rpc
            ? $"server side of the gRPC call (RpcException status {rpc.Code}, {rpc.RawStatus?.Length ?? 0} bytes of status details; the SDK's own checks raise no RpcException)"
            : $"SDK (client side, {error.GetType().Name} before the request was answered)";
        var message = Servers.ServerFixture.OneLine(error.Message);
        // RESOURCE_EXHAUSTED is gRPC's own word for a message over its size limit: the status code alone tells the
        // reader what to fix, even when the text is empty. Unknown with an empty text tells nothing.
        var namesSize = error is RpcException { Code: RpcException.StatusCode.ResourceExhausted }
            || SizeWords.Any(w => message.Contains(w, StringComparison.OrdinalIgnoreCase));
        return new PayloadRejection(rejector, error.GetType().Name, message, namesSize);
    }

    public string Describe() => $"rejected by the {Rejector}: {Type} {(Message.Length == 0 ? "with an empty message" : $"\"{Message}\"")}";
}
