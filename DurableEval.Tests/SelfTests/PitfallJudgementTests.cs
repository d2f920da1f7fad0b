using DurableEval.Tests.AgentFramework;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.DurableTaskEngine;
using DurableEval.Workflows.AgentFramework;
using Microsoft.DurableTask.Client;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// DX-06's per-engine judgements of one pitfall run, driven offline with observations that must count as caught,
/// as silently wrong and as no observation, so a judgement that always says "caught" (or never does) fails here.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class PitfallJudgementTests
{
    private static AgentFrameworkFacts.PitfallRun Ended(string? output, string? error = null) => new(null, new RunEnd(output, error, [], []), false);

    [Fact]
    public void AgentFrameworkSharedStateLeakIsSilentlyWrong() =>
        Assert.Equal(CaughtBy.Nothing, AgentFrameworkFacts.JudgeSharedState(Ended("x#1"), Ended("x#2"), "x#1").Outcome);

    [Fact]
    public void AgentFrameworkIsolatedOrRefusedSecondRunIsCaught()
    {
        Assert.Equal(CaughtBy.RunTime, AgentFrameworkFacts.JudgeSharedState(Ended("x#1"), Ended("x#1"), "x#1").Outcome);
        Assert.Equal(CaughtBy.RunTime, AgentFrameworkFacts.JudgeSharedState(Ended("x#1"), new("InvalidOperationException: owned", null, false), "x#1").Outcome);
    }

    [Fact]
    public void AgentFrameworkBrokenFirstRunIsNoObservation() =>
        Assert.Equal(CaughtBy.Undetermined, AgentFrameworkFacts.JudgeSharedState(Ended("other"), Ended("x#2"), "x#1").Outcome);

    [Fact]
    public void AgentFrameworkRunThatEndsWithoutErrorIsNotCaught()
    {
        Assert.Equal(CaughtBy.Nothing, AgentFrameworkFacts.JudgeExpectedOutput(Ended(null), null).Outcome);
        Assert.Equal(CaughtBy.RunTime, AgentFrameworkFacts.JudgeExpectedOutput(Ended(null, "workflow error: bad edge"), null).Outcome);
        Assert.Equal(CaughtBy.Undetermined, AgentFrameworkFacts.JudgeExpectedOutput(new(null, null, true), null).Outcome);
    }

    [Fact]
    public void DurableTaskFailedRunIsCaughtAndHangIsSilent()
    {
        OrchestrationMetadata With(OrchestrationRuntimeStatus status) => new("Pitfall", "de-DX-06-selftest") { RuntimeStatus = status };
        Assert.Equal(CaughtBy.RunTime, InProcessFacts.ClassifyPitfall(With(OrchestrationRuntimeStatus.Failed), true, false, []).Outcome);
        Assert.Equal(CaughtBy.Nothing, InProcessFacts.ClassifyPitfall(With(OrchestrationRuntimeStatus.Completed), true, false, ["a", "b"]).Outcome);
        Assert.Equal(CaughtBy.Nothing, InProcessFacts.ClassifyPitfall(With(OrchestrationRuntimeStatus.Running), true, true, []).Outcome);
        Assert.Equal(CaughtBy.Undetermined, InProcessFacts.ClassifyPitfall(With(OrchestrationRuntimeStatus.Running), false, false, []).Outcome);
        Assert.Equal(CaughtBy.Undetermined, InProcessFacts.ClassifyPitfall(null, true, false, []).Outcome);
    }
}
