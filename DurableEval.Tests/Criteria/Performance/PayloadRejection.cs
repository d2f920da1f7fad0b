using Temporalio.Exceptions;

namespace DurableEval.Tests.Criteria;

/// <summary>Who refused an oversized payload and whether the error says why, judged from the exception alone.</summary>
public sealed record PayloadRejection(string Rejector, string Type, string Message, bool NamesSize)
{
    private static readonly string[] SizeWords = ["larger than", "size", "limit", "too large", "exceeds", "exhausted"];

    // Words only a message about the payload's size uses; they still name the size when a rate word is present.
    private static readonly string[] StrictSizeWords = ["larger than", "size", "too large", "bytes", "message length"];

    // Temporal answers RESOURCE_EXHAUSTED for rate and concurrency limits too ("namespace rate limit exceeded",
    // "service rate limit exceeded", "concurrent pollers limit"); such an answer says nothing about the payload.
    private static readonly string[] RateWords = ["rate limit", "rps", "qps", "requests per second", "concurrent", "count limit", "busy"];

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
        return new PayloadRejection(rejector, error.GetType().Name, message, NamesSizeLimit(error is RpcException { Code: RpcException.StatusCode.ResourceExhausted }, message));
    }

    /// <summary>
    /// Whether a refusal names the size limit. RESOURCE_EXHAUSTED is gRPC's own word for a message over its size
    /// limit, so the status code alone tells the reader what to fix even when the text is empty; but a text about
    /// a rate or concurrency limit turns it (and any generic "limit"/"exceeds") into a rate-limit answer, which
    /// names the size only if it also says "size", "bytes" or "larger than". Unknown with an empty text tells nothing.
    /// </summary>
    public static bool NamesSizeLimit(bool resourceExhausted, string message)
    {
        bool Has(string[] words) => words.Any(w => message.Contains(w, StringComparison.OrdinalIgnoreCase));
        if (Has(RateWords))
        {
            return Has(StrictSizeWords);
        }

        return resourceExhausted || Has(SizeWords);
    }

    public string Describe() => $"rejected by the {Rejector}: {Type} {(Message.Length == 0 ? "with an empty message" : $"\"{Message}\"")}";
}
