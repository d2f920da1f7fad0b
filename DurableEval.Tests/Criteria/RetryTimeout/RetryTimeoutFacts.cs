using System.Globalization;
using System.Reflection;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>RT — Retry &amp; Timeout: retry policies, timeouts, the circuit-breaker pattern, heartbeats.</summary>
public sealed partial class RetryTimeoutFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
