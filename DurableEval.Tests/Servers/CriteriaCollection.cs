using Xunit;

namespace DurableEval.Tests.Servers;

/// <summary>
/// All criterion facts share this collection: they run one at a time (time-skipping servers and timing metrics
/// both need that) while self-tests run in parallel outside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CriteriaCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Criteria";
}
