using System.ClientModel;
using Temporalio.Exceptions;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// Turns the OpenAI client's HTTP failures into Temporal failures: a 429 becomes a retryable failure whose next
/// retry delay is the server's Retry-After, other 4xx answers are non-retryable (the request itself is wrong),
/// everything else stays retryable under the activity's retry policy.
/// </summary>
public static class ModelErrors
{
    public const string RateLimited = "RateLimited";
    public const string InvalidRequest = "InvalidRequest";

    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (Find(e) is { } http)
        {
            throw Translate(http);
        }
    }

    public static Exception Translate(ClientResultException http)
    {
        if (http.Status == 429)
        {
            string? header = null;
            http.GetRawResponse()?.Headers.TryGetValue("Retry-After", out header);
            var delay = RetryAfter.Parse(header, DateTimeOffset.UtcNow);
            return new ApplicationFailureException(
                $"model rate limited (HTTP 429, Retry-After {header ?? "absent"})", http, RateLimited, nextRetryDelay: delay);
        }

        return http.Status is >= 400 and < 500
            ? new ApplicationFailureException($"model rejected the request (HTTP {http.Status})", http, InvalidRequest, nonRetryable: true)
            : new ApplicationFailureException($"model call failed (HTTP {http.Status})", http, "ModelUnavailable");
    }

    private static ClientResultException? Find(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is ClientResultException http)
            {
                return http;
            }
        }

        return null;
    }
}
