using System.Reflection;
using System.Runtime.CompilerServices;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Xunit;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>Base of every category's facts: the shared server fixture and a recorder bound to the fact's criterion.</summary>
[Collection(CriteriaCollection.Name)]
public abstract class CriterionFacts(ServerFixture servers, ITestOutputHelper output)
{
    protected ServerFixture Servers { get; } = servers;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>A recorder for the calling fact, its criterion read from the fact's own [Criterion] attribute.</summary>
    protected FactRecorder Begin([CallerMemberName] string method = "")
    {
        var attribute = GetType().GetMethod(method)?.GetCustomAttribute<CriterionAttribute>()
            ?? throw new InvalidOperationException($"{GetType().Name}.{method} has no [Criterion] attribute");
        return new FactRecorder(Catalog.Get(attribute.Id), $"{GetType().Name}.{method}", Servers, Output, Settings.Current, Engines.Get(attribute.Engine));
    }
}
