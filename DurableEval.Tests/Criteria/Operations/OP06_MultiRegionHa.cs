using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    /// <summary>
    /// Multi-region replication and failover cannot be exercised on one server; what the API carries for them is
    /// documented evidence (cited below), not a check. The checks ask the server live what a client depends on
    /// across a failover: its identity and the namespace's on a fresh connection (any server), and, where the
    /// server exposes clusters, a coherent picture of its cluster and the namespace's replication config.
    /// </summary>
    [SkippableFact]
    [Criterion("OP-06")]
    public async Task OP06_MultiRegionHa()
    {
        var fact = Begin();
        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("server-identity", "A fresh connection (as a client reconnecting after a failover) gets the same GetSystemInfo answer, and DescribeNamespace answers for the namespace asked, Registered, with the same non-empty id on both connections"),
                Edge("cluster-info", "GetClusterInfo names the server's cluster with an id and a version that GetSystemInfo agrees with, and ListClusters lists it (not run where the server lacks the RPC)"),
                Edge("replication-config", "DescribeNamespace's replication config names an active cluster among its clusters; a local namespace lives on exactly the cluster GetClusterInfo names, a global one only on clusters ListClusters knows (not run where the server exposes no clusters)"),
                Production("failover", "A namespace failing over between replicated clusters (or Temporal Cloud multi-region) while workflows keep running"),
            ],
            async (server, checks) =>
            {
                var ns = server.Client.Options.Namespace;
                var rpc = new RpcOptions { CancellationToken = checks.Cancellation };
                var other = await RuntimeClients.ConnectAsync(server, runtime: null);

                async Task<SystemView> SystemAsync(ITemporalClient client)
                {
                    var info = await client.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest(), rpc);
                    return new SystemView(info.ServerVersion, info.Capabilities?.ToString() ?? "none");
                }

                async Task<(NamespaceView View, bool Answered)> NamespaceAsync(ITemporalClient client)
                {
                    var d = await client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = ns }, rpc);
                    return (new NamespaceView(
                        d.NamespaceInfo?.Name ?? string.Empty,
                        d.NamespaceInfo?.Id ?? string.Empty,
                        d.NamespaceInfo?.State.ToString() ?? "missing",
                        d.IsGlobalNamespace,
                        d.ReplicationConfig?.ActiveClusterName ?? string.Empty,
                        d.ReplicationConfig?.Clusters.Select(c => c.ClusterName).ToList() ?? []), d.ReplicationConfig is not null);
                }

                var system = await SystemAsync(server.Client);
                var (namespaceView, _) = await NamespaceAsync(server.Client);
                var identity = ClusterIdentity.Identity(ns, system, await SystemAsync(other), namespaceView, (await NamespaceAsync(other)).View);
                checks.Expect("server-identity", identity.Holds, identity.Evidence);

                // Probe before judging, with the suite's one decision (FeatureProbe): a server that does not expose
                // the call here makes its checks "not run", never "failed".
                var cluster = await ProbeAsync(server, "GetClusterInfo", () => server.Client.WorkflowService.GetClusterInfoAsync(new GetClusterInfoRequest(), rpc));
                var listed = await ProbeAsync(server, "ListClusters", () => server.Client.OperatorService.ListClustersAsync(new ListClustersRequest(), rpc));
                var clusters = listed.Answer?.Clusters.Select(c => new ClusterView(c.ClusterName, c.ClusterId, string.Empty)).ToList();
                if (cluster.Answer is not { } info)
                {
                    var reason = cluster.Lacking ?? "GetClusterInfo gave no answer";
                    checks.NotRun("cluster-info", reason);
                    checks.NotRun("replication-config", $"{reason}, so there is no cluster for the namespace's replication config to name (it reports active cluster \"{namespaceView.ActiveCluster}\", {namespaceView.Clusters.Count} clusters)");
                }
                else
                {
                    var own = new ClusterView(info.ClusterName, info.ClusterId, info.ServerVersion);
                    var clusterInfo = ClusterIdentity.ClusterInfo(own, system, clusters);
                    checks.Expect("cluster-info", clusterInfo.Holds, clusterInfo.Evidence + (listed.Lacking is null ? string.Empty : $" (ListClusters: {listed.Lacking})"));
                    var replication = ClusterIdentity.Replication(namespaceView, own, clusters);
                    checks.Expect("replication-config", replication.Holds, replication.Evidence);
                    fact.Metric("history_shards", info.HistoryShardCount, "shards");
                }

                checks.NotRun("failover", "one cluster here; replication and failover need two connected clusters or a multi-region cloud namespace, documented only");
            });

        fact.Cite(
            "The API carries multi-cluster replication: RegisterNamespaceRequest has is_global_namespace, clusters and active_cluster_name; UpdateNamespaceRequest a replication_config; DescribeNamespaceResponse reports them; GetClusterInfo describes the cluster; the operator service adds, lists and removes remote clusters. The .NET SDK exposes these raw RPCs on WorkflowService and OperatorService.",
            "https://github.com/temporalio/api/blob/master/temporal/api/workflowservice/v1/request_response.proto");
        fact.Cite(
            "The .NET client's connection options carry what a failover relies on: RpcRetry (retries with backoff) and KeepAlive, on by default.",
            "https://dotnet.temporal.io/api/Temporalio.Client.TemporalConnectionOptions.html");
        fact.Cite("Multi-cluster replication: global namespaces replicate workflow state asynchronously to standby clusters and fail over by changing the active cluster", "https://docs.temporal.io/self-hosted-guide/multi-cluster-replication");
        fact.Cite("Temporal Cloud high availability: multi-region and multi-cloud replication with automated failover and an RPO/RTO SLA", "https://docs.temporal.io/cloud/high-availability");
        fact.Conclude();
    }

    /// <summary>The answer, or why the server lacks the call as <see cref="FeatureProbe.Decide"/> judges it; other errors propagate.</summary>
    private static async Task<(T? Answer, string? Lacking)> ProbeAsync<T>(ServerLease server, string call, Func<Task<T>> rpc)
        where T : class
    {
        T? answer = null;
        var failure = await Observe.FailureOfAsync(async () => answer = await rpc());
        var decision = FeatureProbe.Decide(ServerFeature.ClusterInfo, ServerNames.Of(server.Kind), ProbeAnswer.Of(call, failure, aimedAtNothing: false));
        if (failure is not null && decision.State != FeatureState.Lacking)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return (answer, decision.State == FeatureState.Lacking ? decision.Reason : null);
    }
}
