using DurableEval.Tests.Reliability;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The model-call kill oracle on synthetic observations, no server: a correct run passes, and each way a kill can
/// cost model calls it should not (two extra requests, a completed call asked again, a completion the server lost)
/// or cost none when it must (the interrupted call not asked again), fails; a kill that did not land is not run.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ModelCallOracleTests
{
    private const string Killed = "ai-worker-1";

    [Fact]
    public void InterruptedCallAskedOnceMorePasses()
    {
        var verdict = ModelCallOracle.Judge(Run());

        Assert.Equal(OracleOutcome.Passed, verdict.Outcome);
        Assert.Contains("8 model requests for 6 calls (2 interrupted, 2 completed before the kill, 2 after it)", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkerThatExitedOnItsOwnDecidesTheVerdict()
    {
        // Could not connect: the harness's problem, not evaluated with the worker's own words, never "did not land".
        var cannotConnect = ModelCallOracle.Judge(Run() with { Exit = new WorkerExit("ai-worker-1", 69, CameUp: false, ["worker cannot connect to 127.0.0.1:1"]) });
        Assert.Equal(OracleOutcome.NotRun, cannotConnect.Outcome);
        Assert.Contains("worker cannot connect to 127.0.0.1:1", cannotConnect.Evidence, StringComparison.Ordinal);

        // Died while running: the worker under test failed by itself, which is a failure of the run.
        var died = ModelCallOracle.Judge(Run() with { Exit = new WorkerExit("ai-worker-2", 70, CameUp: true, ["worker ai-worker-2 failed while running"]) });
        Assert.Equal(OracleOutcome.Failed, died.Outcome);
    }

    [Fact]
    public void TwoExtraRequestsForTheInterruptedCallFail()
    {
        var verdict = ModelCallOracle.Judge(Run(c => c.HeldAtKill && c.Run == "w0" ? c with { Requests = 3, HistoryAttempt = 3 } : c));

        Assert.Equal(OracleOutcome.Failed, verdict.Outcome);
        Assert.Contains("w0 call 2 (held at the kill) reached the model 3 times, expected 2 times", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraRequestForACompletedCallFails()
    {
        // A completed call re-run by the new worker: the server handed out a task it had recorded as completed.
        var verdict = ModelCallOracle.Judge(Run(c => c.Call == 1 && c.Run == "w1" ? c with { Requests = 2, CompletedBy = "ai-worker-2" } : c));

        Assert.Equal(OracleOutcome.Failed, verdict.Outcome);
        Assert.Contains("w1 call 1 (completed before the kill) reached the model 2 times, expected 1 time", verdict.Evidence, StringComparison.Ordinal);
        Assert.Contains("w1 call 1 (completed before the kill): completed by ai-worker-2 in history, not by the killed ai-worker-1", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void NoExtraRequestWhenTheKillLandedMidCallFails()
    {
        // The interrupted call's answer came from somewhere other than a new request (e.g. a cached or invented result).
        var verdict = ModelCallOracle.Judge(Run(c => c.HeldAtKill && c.Run == "w1" ? c with { Requests = 1 } : c));

        Assert.Equal(OracleOutcome.Failed, verdict.Outcome);
        Assert.Contains("w1 call 2 (held at the kill) reached the model 1 time, expected 2 times", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswerNotServedOrRunFailedFails()
    {
        var wrongAnswer = ModelCallOracle.Judge(Run(c => c.Call == 3 && c.Run == "w0" ? c with { AnswerServed = false } : c));
        var failedRun = ModelCallOracle.Judge(Run() with { RunFailures = ["w1: WorkflowFailedException: activity timed out"] });

        Assert.Equal(OracleOutcome.Failed, wrongAnswer.Outcome);
        Assert.Contains("w0 call 3 (after the kill): the run's answer is not what the endpoint served", wrongAnswer.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.Failed, failedRun.Outcome);
        Assert.Contains("run failed: w1", failedRun.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void KillThatDidNotLandIsNotRunNeverPassed()
    {
        var noKill = ModelCallOracle.Judge(Run() with { KillTaken = false });
        var nothingHeld = ModelCallOracle.Judge(Run(c => c with { HeldForAtKill = null }));
        var timedOutFirst = ModelCallOracle.Judge(Run(c => c.HeldAtKill && c.Run == "w0" ? c with { RequestsBeforeKill = 2, HeldForAtKill = TimeSpan.FromMilliseconds(3500) } : c));

        Assert.Equal(OracleOutcome.NotRun, noKill.Outcome);
        Assert.Equal(OracleOutcome.NotRun, nothingHeld.Outcome);
        Assert.Contains("did not land during a model call", nothingHeld.Evidence, StringComparison.Ordinal);
        Assert.Equal(OracleOutcome.NotRun, timedOutFirst.Outcome);
        Assert.Contains("w0 call 2 was held 3500 ms of a 4000 ms call timeout", timedOutFirst.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraRequestBeforeTheKillThatNoTimeoutExplainsFails()
    {
        // A held call asked twice within a fraction of its timeout: a duplicate dispatch, not a timed-out attempt.
        var verdict = ModelCallOracle.Judge(Run(c => c.HeldAtKill && c.Run == "w1" ? c with { RequestsBeforeKill = 2, Requests = 3 } : c));

        Assert.Equal(OracleOutcome.Failed, verdict.Outcome);
        Assert.Contains("w1 call 2 (held at the kill) reached the model 2 times before the kill, within 40 ms of a 4000 ms call timeout", verdict.Evidence, StringComparison.Ordinal);
    }

    /// <summary>Two runs of three calls, call 2 of each held at the kill: the correct outcome, optionally altered per call.</summary>
    private static ModelCallKillObservation Run(Func<ModelCallSighting, ModelCallSighting>? alter = null)
    {
        var calls = new List<ModelCallSighting>();
        foreach (var run in new[] { "w0", "w1" })
        {
            calls.Add(new(run, 1, HeldForAtKill: null, RequestsBeforeKill: 1, Requests: 1, HistoryAttempt: 1, CompletedBy: Killed, AnswerServed: true));
            calls.Add(new(run, 2, HeldForAtKill: TimeSpan.FromMilliseconds(40), RequestsBeforeKill: 1, Requests: 2, HistoryAttempt: 2, CompletedBy: "ai-worker-2", AnswerServed: true));
            calls.Add(new(run, 3, HeldForAtKill: null, RequestsBeforeKill: 0, Requests: 1, HistoryAttempt: 1, CompletedBy: "ai-worker-2", AnswerServed: true));
        }

        return new(Killed, TimeSpan.FromSeconds(4), KillTaken: true, calls.Select(alter ?? (c => c)).ToList(), []);
    }
}
