using Xunit;

namespace DurableEval.Tests.Servers;

/// <summary>
/// All criterion facts share this collection: they run one at a time (time-skipping servers and timing metrics
/// both need that) while self-tests run in parallel outside it. Azurite (Durable Task's crash facts) starts only when
/// a fact asks for it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CriteriaCollection : ICollectionFixture<ServerFixture>, ICollectionFixture<DurableTaskEngine.AzuriteFixture>
{
    public const string Name = "Criteria";
}
