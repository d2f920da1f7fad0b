using DurableEval.Tests.Criteria;
using DurableEval.Tests.Servers;
using Temporalio.Exceptions;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>PF-03's choice of limit per server, and its reading of a refusal (size limit versus rate limit).</summary>
[Trait("Suite", "SelfTest")]
public sealed class PayloadLimitTests
{
    [Fact]
    public void TheTimeSkippingServerGetsTheGrpcMessageLimit()
    {
        var limit = PayloadLimit.For(ServerKind.TimeSkipping, reportedBlobLimit: null);

        Assert.Equal("gRPC message limit", limit.Name);
        Assert.Equal((4 * 1024 * 1024) - (32 * 1024), limit.UnderBytes);
        Assert.Equal((4 * 1024 * 1024) + (32 * 1024), limit.OverBytes);
    }

    [Theory]
    [InlineData(ServerKind.Dev)]
    [InlineData(ServerKind.External)]
    public void RealServersGetTheDocumentedBlobLimitBracketedOnBothReadingsOf2Mb(ServerKind kind)
    {
        var limit = PayloadLimit.For(kind, reportedBlobLimit: null);

        Assert.Equal("blob-size limit", limit.Name);

        // "Just under" is under 2,000,000 bytes and "just over" is over 2 MiB, so either reading of "2 MB" holds.
        Assert.Equal(2_000_000 - (32 * 1024), limit.UnderBytes);
        Assert.Equal((2 * 1024 * 1024) + (32 * 1024), limit.OverBytes);
        Assert.Equal("https://docs.temporal.io/troubleshooting/blob-size-limit-error", limit.Citation);

        // The old mistake: a 4 MiB "under" input, which every real server refuses.
        Assert.True(limit.UnderBytes < 2_000_000);
    }

    [Fact]
    public void ALimitTheServerReportsWins()
    {
        var limit = PayloadLimit.For(ServerKind.TimeSkipping, reportedBlobLimit: 512 * 1024);

        Assert.Equal("blob-size limit", limit.Name);
        Assert.Equal((512 * 1024) - (32 * 1024), limit.UnderBytes);
        Assert.Equal((512 * 1024) + (32 * 1024), limit.OverBytes);
        Assert.Contains("reported by the server", limit.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheDocumentedDefaultFallsBackToTheGrpcLimitWhenOverIsAccepted()
    {
        var next = PayloadLimit.For(ServerKind.External, reportedBlobLimit: null).IfOverAccepted();

        Assert.NotNull(next);
        Assert.Equal("gRPC message limit", next.Name);
        Assert.Equal((4 * 1024 * 1024) + (32 * 1024), next.OverBytes);

        // A limit the server reported, or the gRPC limit itself, is the limit: accepting more is not enforcing it.
        Assert.Null(PayloadLimit.For(ServerKind.External, reportedBlobLimit: 2 * 1024 * 1024).IfOverAccepted());
        Assert.Null(PayloadLimit.For(ServerKind.TimeSkipping, reportedBlobLimit: null).IfOverAccepted());
        Assert.Null(next.IfOverAccepted());
    }

    [Theory]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "", true)]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "grpc: received message larger than max (4227072 vs. 4194304)", true)]
    [InlineData(RpcException.StatusCode.InvalidArgument, "Blob data size exceeds limit.", true)]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "namespace rate limit exceeded", false)]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "service rate limit exceeded", false)]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "Too many outstanding requests to the concurrent pollers limit", false)]
    [InlineData(RpcException.StatusCode.ResourceExhausted, "rate limit exceeded: request of 4227072 bytes", true)]
    [InlineData(RpcException.StatusCode.Unknown, "", false)]
    public void ARateLimitDoesNotNameTheSize(RpcException.StatusCode code, string message, bool namesSize)
    {
        var rejection = PayloadRejection.Of(new RpcException(code, message, null));

        Assert.Equal(namesSize, rejection!.NamesSize);
    }
}
