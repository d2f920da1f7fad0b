using System.Globalization;

namespace DurableEval.Tests.Criteria;

/// <summary>What GetSystemInfo told one connection: the server version (empty when the server sends none) and its capabilities.</summary>
public sealed record SystemView(string ServerVersion, string Capabilities);

/// <summary>What DescribeNamespace told one connection: identity, state and replication configuration.</summary>
public sealed record NamespaceView(string Name, string Id, string State, bool IsGlobal, string ActiveCluster, IReadOnlyList<string> Clusters);

/// <summary>A cluster as GetClusterInfo or ListClusters names it.</summary>
public sealed record ClusterView(string Name, string Id, string ServerVersion);

/// <summary>
/// OP-06's judgements over what the server said about itself, pure and tested offline with passing and failing
/// answers. A client that reconnects (as after a failover) must find the same server capabilities and the same
/// namespace; a server that reports clusters must report one coherent picture: GetClusterInfo's cluster is named
/// and versioned like GetSystemInfo says, ListClusters lists it, and the namespace's replication config names an
/// active cluster among its clusters, its own cluster for a local namespace.
/// </summary>
public static class ClusterIdentity
{
    public sealed record Verdict(bool Holds, string Evidence);

    /// <summary>Two connections' answers agree, and the namespace answers as the one asked for, registered, with an id.</summary>
    public static Verdict Identity(string requested, SystemView first, SystemView second, NamespaceView a, NamespaceView b)
    {
        var problems = new List<string>();
        if (first != second)
        {
            problems.Add($"GetSystemInfo differs between connections (version \"{first.ServerVersion}\" vs \"{second.ServerVersion}\", capabilities {first.Capabilities} vs {second.Capabilities})");
        }

        if (a.Name != requested)
        {
            problems.Add($"DescribeNamespace(\"{requested}\") answered for \"{a.Name}\"");
        }

        if (string.IsNullOrEmpty(a.Id))
        {
            problems.Add("the namespace has no id");
        }
        else if (a.Id != b.Id)
        {
            problems.Add($"the namespace id differs between connections ({a.Id} vs {b.Id})");
        }

        if (a.State != "Registered")
        {
            problems.Add($"the namespace is {a.State}, not Registered");
        }

        return new(
            problems.Count == 0,
            problems.Count == 0
                ? $"two connections: GetSystemInfo version \"{first.ServerVersion}\" and capabilities {first.Capabilities} on both; namespace \"{a.Name}\" {a.State} with the same id {a.Id} on both"
                : string.Join("; ", problems));
    }

    /// <summary>
    /// GetClusterInfo names a cluster with an id and a version, the version GetSystemInfo reports when that one
    /// reports any, and ListClusters (when the server answers it) lists the cluster under the same id.
    /// </summary>
    public static Verdict ClusterInfo(ClusterView cluster, SystemView system, IReadOnlyList<ClusterView>? listed)
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(cluster.Name) || string.IsNullOrEmpty(cluster.Id) || string.IsNullOrEmpty(cluster.ServerVersion))
        {
            problems.Add($"GetClusterInfo left a field empty (name \"{cluster.Name}\", id \"{cluster.Id}\", version \"{cluster.ServerVersion}\")");
        }

        if (!string.IsNullOrEmpty(system.ServerVersion) && system.ServerVersion != cluster.ServerVersion)
        {
            problems.Add($"GetClusterInfo says version \"{cluster.ServerVersion}\", GetSystemInfo \"{system.ServerVersion}\"");
        }

        if (listed is not null && !listed.Any(c => c.Name == cluster.Name && c.Id == cluster.Id))
        {
            problems.Add($"ListClusters ({Names(listed)}) does not list cluster \"{cluster.Name}\" with id {cluster.Id}");
        }

        var listing = listed is null ? "ListClusters not answered" : $"ListClusters: {Names(listed)}";
        return new(
            problems.Count == 0,
            problems.Count == 0
                ? $"cluster \"{cluster.Name}\" id {cluster.Id} version {cluster.ServerVersion} (GetSystemInfo \"{system.ServerVersion}\"); {listing}"
                : string.Join("; ", problems));
    }

    /// <summary>
    /// The namespace's replication config is coherent with the cluster picture: an active cluster among its
    /// clusters; a local namespace lives on exactly the cluster GetClusterInfo names; every cluster of a global
    /// namespace is one ListClusters knows (when it answers).
    /// </summary>
    public static Verdict Replication(NamespaceView ns, ClusterView cluster, IReadOnlyList<ClusterView>? listed)
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(ns.ActiveCluster) || !ns.Clusters.Contains(ns.ActiveCluster))
        {
            problems.Add($"active cluster \"{ns.ActiveCluster}\" is not among the namespace's clusters ({string.Join(", ", ns.Clusters)})");
        }

        if (!ns.IsGlobal && !(ns.Clusters.Count == 1 && ns.Clusters[0] == cluster.Name))
        {
            problems.Add($"a local namespace must live on its own cluster \"{cluster.Name}\" only, but lists {ns.Clusters.Count} ({string.Join(", ", ns.Clusters)})");
        }

        if (ns.IsGlobal && listed is not null)
        {
            var unknown = ns.Clusters.Where(c => !listed.Any(l => l.Name == c)).ToList();
            if (unknown.Count > 0)
            {
                problems.Add($"the global namespace's clusters {string.Join(", ", unknown)} are not in ListClusters ({Names(listed)})");
            }
        }

        return new(
            problems.Count == 0,
            problems.Count == 0
                ? string.Create(CultureInfo.InvariantCulture, $"namespace \"{ns.Name}\" {(ns.IsGlobal ? "global" : "local")}, active cluster \"{ns.ActiveCluster}\" of {ns.Clusters.Count} ({string.Join(", ", ns.Clusters)}); this server's cluster \"{cluster.Name}\"")
                : string.Join("; ", problems));
    }

    private static string Names(IReadOnlyList<ClusterView> clusters) =>
        clusters.Count == 0 ? "none" : string.Join(", ", clusters.Select(c => $"\"{c.Name}\" {c.Id}"));
}
