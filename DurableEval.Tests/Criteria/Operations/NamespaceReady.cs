using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Operations;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace DurableEval.Tests.Criteria;

/// <summary>Waits, bounded, until a freshly registered namespace accepts a workflow start.</summary>
internal static class NamespaceReady
{
    /// <summary>
    /// A namespace answers DescribeNamespace as soon as it is written, but a start in it fails with NotFound
    /// ("Namespace ... is not found") until the hosts' namespace caches refresh (about 10 s on a dev server).
    /// Starts a throwaway run (no worker needed) until one is accepted, terminates it, and returns how long that
    /// took; throws TimeoutException naming the namespace when none is accepted within the bound.
    /// </summary>
    public static async Task<TimeSpan> WaitUntilStartableAsync(ServerLease server, string ns, CancellationToken cancellation)
    {
        var options = (TemporalClientOptions)server.Client.Options.Clone();
        options.Namespace = ns;
        var client = new TemporalClient(server.Client.Connection, options);
        var clock = Stopwatch.StartNew();
        var bound = TimeSpan.FromSeconds(45);
        RpcException? last = null;
        while (clock.Elapsed < bound)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                var probe = await client.StartWorkflowAsync(
                    (ManagedLifecycleWorkflow w) => w.RunAsync("namespace-ready"),
                    new WorkflowOptions(server.NewId("ns-ready"), server.NewTaskQueue("ns-ready")) { ExecutionTimeout = TimeSpan.FromMinutes(1) });
                await probe.TerminateAsync("DurableEval: namespace accepts starts");
                return clock.Elapsed;
            }
            catch (RpcException e) when (e.Code is RpcException.StatusCode.NotFound or RpcException.StatusCode.Unavailable)
            {
                last = e;
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
            }
        }

        throw new TimeoutException($"namespace {ns} accepted no workflow start within {bound.TotalSeconds:0} s of its registration ({Observe.Describe(last)})");
    }
}
