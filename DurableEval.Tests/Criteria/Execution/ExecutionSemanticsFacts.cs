using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Shared;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using Xunit.Abstractions;

namespace DurableEval.Tests.Criteria;

/// <summary>EX — Execution Semantics: progress, side effects, deduplication, persistence, determinism, replay.</summary>
public sealed partial class ExecutionSemanticsFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
