using System.Globalization;
using System.Reflection;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-06")]
    public async Task OP06_MultiRegionHa()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("replication-api", "The SDK's API carries multi-cluster replication: global namespaces (IsGlobalNamespace, Clusters, ActiveClusterName on registration), remote cluster management on the operator service, cluster info on the workflow service"),
                Core("client-resilience", "The client exposes the options a failover relies on: RPC retry (attempts, backoff) and keep-alive on the connection, with non-zero defaults"),
            ],
            checks =>
            {
                var wanted = new (System.Type Type, string Member)[]
                {
                    (typeof(RegisterNamespaceRequest), nameof(RegisterNamespaceRequest.IsGlobalNamespace)),
                    (typeof(RegisterNamespaceRequest), nameof(RegisterNamespaceRequest.Clusters)),
                    (typeof(RegisterNamespaceRequest), nameof(RegisterNamespaceRequest.ActiveClusterName)),
                    (typeof(Temporalio.Client.OperatorService), "AddOrUpdateRemoteClusterAsync"),
                    (typeof(Temporalio.Client.OperatorService), "ListClustersAsync"),
                    (typeof(Temporalio.Client.OperatorService), "RemoveRemoteClusterAsync"),
                    (typeof(Temporalio.Client.WorkflowService), "GetClusterInfoAsync"),
                    (typeof(UpdateNamespaceRequest), nameof(UpdateNamespaceRequest.ReplicationConfig)),
                };
                var found = wanted.Select(w => (w.Type.Name, w.Member, Present: w.Type.GetMember(w.Member, BindingFlags.Public | BindingFlags.Instance).Length > 0)).ToList();
                checks.Expect(
                    "replication-api",
                    found.All(f => f.Present),
                    string.Join(", ", found.Select(f => $"{f.Name}.{f.Member} {(f.Present ? "present" : "MISSING")}")));

                var connection = new TemporalConnectionOptions("127.0.0.1:7233");
                var retry = connection.RpcRetry ?? new RpcRetryOptions();
                var keepAlive = connection.KeepAlive;
                checks.Expect(
                    "client-resilience",
                    retry.MaxRetries > 0 && retry.InitialInterval > TimeSpan.Zero && keepAlive is { Interval.Ticks: > 0 },
                    $"RpcRetry: {retry.MaxRetries} retries from {retry.InitialInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms x{retry.Multiplier.ToString(CultureInfo.InvariantCulture)} up to {retry.MaxInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; "
                        + $"keep-alive every {keepAlive?.Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture) ?? "off"} s, timeout {keepAlive?.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) ?? "n/a"} s");
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Full,
            [
                Edge("cluster-info", "A full server answers GetClusterInfo with its cluster name and server version, and ListClusters with at least its own cluster"),
                Production("failover", "A namespace failing over between replicated clusters (or Temporal Cloud multi-region) while workflows keep running"),
            ],
            async (server, checks) =>
            {
                checks.NotRun("failover", "one cluster here; replication and failover need two connected clusters or a multi-region cloud namespace, documented only");
                if (!await checks.RequireAsync(server, ServerFeature.ClusterInfo, Output.WriteLine))
                {
                    return;
                }

                var info = await server.Client.WorkflowService.GetClusterInfoAsync(new GetClusterInfoRequest());
                var clusters = await server.Client.OperatorService.ListClustersAsync(new ListClustersRequest());
                checks.Expect(
                    "cluster-info",
                    !string.IsNullOrEmpty(info.ClusterName) && !string.IsNullOrEmpty(info.ServerVersion) && clusters.Clusters.Any(c => c.ClusterName == info.ClusterName),
                    $"cluster \"{info.ClusterName}\" version {info.ServerVersion}, history shards {info.HistoryShardCount}; ListClusters: {string.Join(", ", clusters.Clusters.Select(c => c.ClusterName))}");
            });

        fact.Cite("Multi-cluster replication: global namespaces replicate workflow state asynchronously to standby clusters and fail over by changing the active cluster", "https://docs.temporal.io/self-hosted-guide/multi-cluster-replication");
        fact.Cite("Temporal Cloud high availability: multi-region and multi-cloud replication with automated failover and an RPO/RTO SLA", "https://docs.temporal.io/cloud/high-availability");
        fact.Conclude();
    }
}
