using DurableEval.Tests.Servers;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>VR — Versioning &amp; Migration: patching, the replay gate, migration of running work, schema evolution.</summary>
public sealed partial class VersioningFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
