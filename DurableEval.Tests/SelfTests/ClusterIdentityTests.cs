using DurableEval.Tests.Criteria;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>OP-06's judgements on synthetic server answers: a coherent server passes, each incoherence fails.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ClusterIdentityTests
{
    private static readonly SystemView System = new("1.29.1", "{ \"sdkMetadata\": true }");
    private static readonly NamespaceView Local = new("default", "ns-1", "Registered", false, "active", ["active"]);
    private static readonly ClusterView Active = new("active", "c-1", "1.29.1");

    [Fact]
    public void IdentityHoldsWhenBothConnectionsAgree()
    {
        var verdict = ClusterIdentity.Identity("default", System, System, Local, Local);

        Assert.True(verdict.Holds, verdict.Evidence);
    }

    [Theory]
    [InlineData("other namespace", "DescribeNamespace(\"default\") answered for \"other\"")]
    [InlineData("no id", "the namespace has no id")]
    [InlineData("id changes on reconnect", "the namespace id differs between connections")]
    [InlineData("deleted namespace", "the namespace is Deleted, not Registered")]
    [InlineData("capabilities change on reconnect", "GetSystemInfo differs between connections")]
    public void IdentityFailsOnEachIncoherence(string situation, string expected)
    {
        var (second, a, b) = situation switch
        {
            "other namespace" => (System, Local with { Name = "other" }, Local),
            "no id" => (System, Local with { Id = string.Empty }, Local with { Id = string.Empty }),
            "id changes on reconnect" => (System, Local, Local with { Id = "ns-2" }),
            "deleted namespace" => (System, Local with { State = "Deleted" }, Local with { State = "Deleted" }),
            _ => (System with { Capabilities = "{}" }, Local, Local),
        };

        var verdict = ClusterIdentity.Identity("default", System, second, a, b);

        Assert.False(verdict.Holds);
        Assert.Contains(expected, verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterInfoHoldsForACoherentClusterAndWithoutAListing()
    {
        Assert.True(ClusterIdentity.ClusterInfo(Active, System, [new("active", "c-1", string.Empty)]).Holds);
        Assert.True(ClusterIdentity.ClusterInfo(Active, System with { ServerVersion = string.Empty }, null).Holds);
    }

    [Fact]
    public void ClusterInfoFailsOnEmptyFieldsVersionMismatchOrAnUnlistedCluster()
    {
        var empty = ClusterIdentity.ClusterInfo(Active with { Id = string.Empty }, System, null);
        var version = ClusterIdentity.ClusterInfo(Active, System with { ServerVersion = "1.28.0" }, null);
        var unlisted = ClusterIdentity.ClusterInfo(Active, System, [new("standby", "c-2", string.Empty)]);

        Assert.False(empty.Holds);
        Assert.Contains("GetClusterInfo left a field empty", empty.Evidence, StringComparison.Ordinal);
        Assert.False(version.Holds);
        Assert.Contains("GetClusterInfo says version \"1.29.1\", GetSystemInfo \"1.28.0\"", version.Evidence, StringComparison.Ordinal);
        Assert.False(unlisted.Holds);
        Assert.Contains("does not list cluster \"active\"", unlisted.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicationHoldsForALocalNamespaceOnItsClusterAndAGlobalOneOnKnownClusters()
    {
        var global = Local with { IsGlobal = true, Clusters = ["active", "standby"] };

        Assert.True(ClusterIdentity.Replication(Local, Active, null).Holds);
        Assert.True(ClusterIdentity.Replication(global, Active, [Active, new("standby", "c-2", string.Empty)]).Holds);
    }

    [Fact]
    public void ReplicationFailsOnAnActiveClusterOutsideTheListAForeignLocalClusterOrAnUnknownGlobalCluster()
    {
        var noActive = ClusterIdentity.Replication(Local with { ActiveCluster = string.Empty }, Active, null);
        var foreign = ClusterIdentity.Replication(Local with { ActiveCluster = "elsewhere", Clusters = ["elsewhere"] }, Active, null);
        var unknown = ClusterIdentity.Replication(Local with { IsGlobal = true, Clusters = ["active", "ghost"] }, Active, [Active]);

        Assert.False(noActive.Holds);
        Assert.Contains("active cluster \"\" is not among", noActive.Evidence, StringComparison.Ordinal);
        Assert.False(foreign.Holds);
        Assert.Contains("a local namespace must live on its own cluster \"active\" only", foreign.Evidence, StringComparison.Ordinal);
        Assert.False(unknown.Holds);
        Assert.Contains("clusters ghost are not in ListClusters", unknown.Evidence, StringComparison.Ordinal);
    }
}
