using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using Temporalio.Exceptions;
using Xunit;
using Code = Temporalio.Exceptions.RpcException.StatusCode;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The probe decision on recorded answers, one per case a server gives: the Java test server's "Method ... is
/// unimplemented", a cluster with schedules turned off, Temporal Cloud refusing RegisterNamespace, NotFound for
/// an object probed on purpose, a rate limit, and success.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class FeatureProbeTests
{
    private const string External = "external server";

    [Fact]
    public void UnimplementedMeansTheServerLacksTheFeature()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Schedules, External, new ProbeAnswer(
            "ListSchedules", Code.Unimplemented, "Method temporal.api.workflowservice.v1.WorkflowService/ListSchedules is unimplemented", AimedAtNothing: false));

        Assert.Equal(FeatureState.Lacking, verdict.State);
        Assert.StartsWith("this external server lacks schedules: ListSchedules answered Unimplemented", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("is unimplemented", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnimplementedResetIsLackingEvenWhenTheProbeAimedAtNothing()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Reset, External, new ProbeAnswer(
            "ResetWorkflowExecution", Code.Unimplemented, "Method temporal.api.workflowservice.v1.WorkflowService/ResetWorkflowExecution is unimplemented", AimedAtNothing: true));

        Assert.Equal(FeatureState.Lacking, verdict.State);
        Assert.Contains("lacks workflow reset", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NotFoundForAnObjectProbedOnPurposeMeansTheMethodIsServed()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Reset, "dev server (Temporal CLI)", new ProbeAnswer(
            "ResetWorkflowExecution", Code.NotFound, "workflow execution not found for workflow ID \"de-cp-02-reset-probe-absent\"", AimedAtNothing: true));

        Assert.Equal(FeatureState.Available, verdict.State);
    }

    [Fact]
    public void NotFoundForWhatTheFeatureNeedsIsInconclusiveNotLacking()
    {
        // A missing method answers Unimplemented; NotFound here names a missing namespace (a wrong
        // TEMPORAL_NAMESPACE), which must not be reported as the server lacking schedules.
        var verdict = FeatureProbe.Decide(ServerFeature.Schedules, External, new ProbeAnswer(
            "ListSchedules", Code.NotFound, "Namespace default is not found.", AimedAtNothing: false));

        Assert.Equal(FeatureState.ProbeError, verdict.State);
    }

    [Fact]
    public void TemporalCloudRefusingRegistrationIsLackingNotFailed()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.NamespaceRegistration, External, new ProbeAnswer(
            "RegisterNamespace", Code.PermissionDenied, "Request unauthorized.", AimedAtNothing: false));

        Assert.Equal(FeatureState.Lacking, verdict.State);
        Assert.Equal("this external server refuses namespace registration to this client: RegisterNamespace answered PermissionDenied \"Request unauthorized.\"", verdict.Reason);
    }

    [Fact]
    public void SchedulesTurnedOffOnTheNamespaceAreLacking()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Schedules, External, new ProbeAnswer(
            "ListSchedules", Code.PermissionDenied, "Schedules are disabled on this namespace.", AimedAtNothing: false));

        Assert.Equal(FeatureState.Lacking, verdict.State);
    }

    [Fact]
    public void SuccessMeansAvailable()
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Schedules, External, new ProbeAnswer("ListSchedules", null, string.Empty, AimedAtNothing: false));

        Assert.Equal(FeatureState.Available, verdict.State);
    }

    [Theory]
    [InlineData(Code.ResourceExhausted, "namespace rate limit exceeded")]
    [InlineData(Code.Unavailable, "connection refused")]
    [InlineData(Code.Internal, "")]
    [InlineData(Code.DeadlineExceeded, "context deadline exceeded")]
    public void AnswersThatSayNothingAboutTheFeatureAreInconclusive(Code code, string message)
    {
        var verdict = FeatureProbe.Decide(ServerFeature.Schedules, External, new ProbeAnswer("ListSchedules", code, message, AimedAtNothing: false));

        Assert.Equal(FeatureState.ProbeError, verdict.State);
    }

    [Fact]
    public void ARecordedRpcExceptionBecomesTheAnswer()
    {
        var answer = ProbeAnswer.Of("CreateSchedule", new RpcException(Code.Unimplemented, "Method ... is unimplemented", null), aimedAtNothing: false);

        Assert.Equal(new ProbeAnswer("CreateSchedule", Code.Unimplemented, "Method ... is unimplemented", false), answer);
        Assert.Null(ProbeAnswer.Of("CreateSchedule", null, aimedAtNothing: false).Code);
    }

    [Fact]
    public async Task ALackingFeatureRecordsEveryRemainingCheckNotRun()
    {
        var outcome = await BlockRunner.RunAsync(
            [CheckSpec.Core("before", "recorded before the probe"), CheckSpec.Core("a", "needs schedules"), CheckSpec.Edge("b", "needs schedules")],
            checks =>
            {
                checks.Expect("before", true, "observed");
                checks.NotRunRemaining("this external server lacks schedules: ListSchedules answered Unimplemented");
                return Task.CompletedTask;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(1));

        Assert.Equal(Evaluation.CheckOutcome.Passed, outcome.Checks.Single(c => c.Id == "before").Outcome);
        Assert.All(outcome.Checks.Where(c => c.Id != "before"), c =>
        {
            Assert.Equal(Evaluation.CheckOutcome.NotRun, c.Outcome);
            Assert.StartsWith("this external server lacks schedules", c.Detail, StringComparison.Ordinal);
        });
    }
}
