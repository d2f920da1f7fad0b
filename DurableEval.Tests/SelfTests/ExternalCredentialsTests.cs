using DurableEval.Tests.Servers;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>A refused credential is told from an unreachable server, and its fix names the variable to change.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ExternalCredentialsTests
{
    [Theory]
    [InlineData("Connection failed: Server connection error: Status { code: Unauthenticated, message: \"missing or wrong API key\" }", true)]
    [InlineData("Status { code: PermissionDenied, message: \"Request unauthorized.\" }", true)]
    [InlineData("Connection failed: transport error: HTTP status client error (401 Unauthorized) for proxy", true)]
    [InlineData("Connection failed: tcp connect error: Connection refused (os error 111)", false)]
    [InlineData("Connection failed: invalid peer certificate: UnknownIssuer", false)]
    [InlineData("Failed client connect: Status { code: Unavailable, message: \"dns error\" }", false)]
    public void RefusedCredentialsAreToldFromAnUnreachableServer(string message, bool refused)
    {
        Assert.Equal(refused, ExternalCredentials.Refused(new InvalidOperationException("outer", new InvalidOperationException(message))));
    }

    [Fact]
    public void TheFixNamesTheVariableThatHoldsTheCredential()
    {
        Assert.Contains("TEMPORAL_API_KEY", ExternalCredentials.Fix(new Dictionary<string, string> { ["TEMPORAL_API_KEY"] = "wrong" }), StringComparison.Ordinal);
        Assert.StartsWith(
            "check TEMPORAL_TLS_CLIENT_CERT_PATH",
            ExternalCredentials.Fix(new Dictionary<string, string> { ["TEMPORAL_TLS_CLIENT_CERT_PATH"] = "/c.pem" }),
            StringComparison.Ordinal);
        Assert.StartsWith("set TEMPORAL_API_KEY", ExternalCredentials.Fix(new Dictionary<string, string>()), StringComparison.Ordinal);
    }
}
