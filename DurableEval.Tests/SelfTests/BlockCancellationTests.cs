using DurableEval.Tests.Servers;
using Temporalio.Client;
using Xunit;

namespace DurableEval.Tests.SelfTests;

[Trait("Suite", "SelfTest")]
public sealed class BlockCancellationTests
{
    [Fact]
    public void LongWaitsTakeTheBlocksTokenUnlessTheyBroughtTheirOwn()
    {
        using var block = new CancellationTokenSource();
        using var own = new CancellationTokenSource();

        Assert.Equal(block.Token, BlockCancellationInterceptor.WithToken(null, block.Token)!.CancellationToken);

        var withTimeout = new RpcOptions { Timeout = TimeSpan.FromSeconds(3) };
        var merged = BlockCancellationInterceptor.WithToken(withTimeout, block.Token)!;
        Assert.Equal(block.Token, merged.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(3), merged.Timeout);
        Assert.Null(withTimeout.CancellationToken);

        var caller = new RpcOptions { CancellationToken = own.Token };
        Assert.Same(caller, BlockCancellationInterceptor.WithToken(caller, block.Token));

        // Outside a block there is nothing to carry.
        Assert.Null(BlockCancellationInterceptor.WithToken(null, CancellationToken.None));
    }
}
