using Temporalio.Exceptions;

namespace DurableEval.Tests.Servers;

/// <summary>
/// Tells a refused credential from an unreachable server, so a wrong or missing key is reported as that, naming
/// the variable to fix. gRPC says Unauthenticated (16) or PermissionDenied (7); the SDK's connect error carries the
/// status in its text, a proxy in front of the server may answer HTTP 401 or 403.
/// </summary>
internal static class ExternalCredentials
{
    private static readonly string[] Markers =
        ["Unauthenticated", "PermissionDenied", "401 Unauthorized", "403 Forbidden", "HTTP status client error (401", "HTTP status client error (403"];

    public static bool Refused(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is RpcException { Code: RpcException.StatusCode.Unauthenticated or RpcException.StatusCode.PermissionDenied })
            {
                return true;
            }

            if (Markers.Any(m => current.Message.Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The fix, naming the variables Temporal's environment configuration reads for credentials.</summary>
    public static string Fix(IReadOnlyDictionary<string, string> environment)
    {
        bool Set(string name) => environment.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v);
        var certificate = Set("TEMPORAL_TLS_CLIENT_CERT_PATH") || Set("TEMPORAL_TLS_CLIENT_CERT_DATA");
        return Set("TEMPORAL_API_KEY")
            ? "check TEMPORAL_API_KEY: the server does not accept this key for TEMPORAL_NAMESPACE"
            : certificate
                ? "check TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: the server does not accept this client certificate, or set TEMPORAL_API_KEY"
                : "set TEMPORAL_API_KEY (or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH) to credentials this server accepts";
    }
}
