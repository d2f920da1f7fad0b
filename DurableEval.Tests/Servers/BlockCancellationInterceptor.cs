using Temporalio.Client;
using Temporalio.Client.Interceptors;

namespace DurableEval.Tests.Servers;

/// <summary>
/// Carries the running block's cancellation into the client calls that can wait long: result and history
/// long-polls, queries and updates (each waits on a worker). A block that times out then stops waiting at once
/// instead of running on against a server that is about to be disposed; a call that brought its own cancellable
/// token keeps it.
/// </summary>
internal sealed class BlockCancellationInterceptor(Func<CancellationToken> current) : IClientInterceptor
{
    public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new Outbound(nextInterceptor, current);

    /// <summary>The call's own options with the block's token, unless the call already carries a cancellable one.</summary>
    internal static RpcOptions? WithToken(RpcOptions? rpc, CancellationToken token)
    {
        if (!token.CanBeCanceled || rpc?.CancellationToken is { CanBeCanceled: true })
        {
            return rpc;
        }

        var copy = (RpcOptions?)rpc?.Clone() ?? new RpcOptions();
        copy.CancellationToken = token;
        return copy;
    }

    private sealed class Outbound(ClientOutboundInterceptor next, Func<CancellationToken> current) : ClientOutboundInterceptor(next)
    {
        public override Task<WorkflowHistoryEventPage> FetchWorkflowHistoryEventPageAsync(FetchWorkflowHistoryEventPageInput input) =>
            base.FetchWorkflowHistoryEventPageAsync(input with { Rpc = WithToken(input.Rpc, current()) });

        public override Task<TResult> QueryWorkflowAsync<TResult>(QueryWorkflowInput input)
        {
            var options = (WorkflowQueryOptions?)input.Options?.Clone() ?? new WorkflowQueryOptions();
            options.Rpc = WithToken(options.Rpc, current());
            return base.QueryWorkflowAsync<TResult>(input with { Options = options });
        }

        public override Task<WorkflowUpdateHandle<TResult>> StartWorkflowUpdateAsync<TResult>(StartWorkflowUpdateInput input)
        {
            var options = (WorkflowUpdateStartOptions)input.Options.Clone();
            options.Rpc = WithToken(options.Rpc, current());
            return base.StartWorkflowUpdateAsync<TResult>(input with { Options = options });
        }
    }
}
