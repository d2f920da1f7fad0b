using System.Globalization;
using System.Reflection;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Shared;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using Xunit.Abstractions;
using ClosePolicy = Temporalio.Workflows.ParentClosePolicy;

namespace DurableEval.Tests.Criteria;

/// <summary>WF — Workflow Primitives: steps, child workflows, fan-out, control flow, timers, queues and rate control.</summary>
public sealed partial class WorkflowPrimitivesFacts(ServerFixture servers, ITestOutputHelper output) : CriterionFacts(servers, output);
