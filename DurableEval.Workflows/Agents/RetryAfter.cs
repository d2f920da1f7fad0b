using System.Globalization;

namespace DurableEval.Workflows.Agents;

/// <summary>Reads an HTTP Retry-After header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).</summary>
public static class RetryAfter
{
    public static TimeSpan? Parse(string? header, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (int.TryParse(header.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParseExact(header.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at > now ? at - now : TimeSpan.Zero)
            : null;
    }
}
