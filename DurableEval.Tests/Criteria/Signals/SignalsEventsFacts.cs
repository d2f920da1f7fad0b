using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>SG — Signals &amp; Events: external signals, waits and awaitables, event triggers, queries and updates.</summary>
public sealed partial class SignalsEventsFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
