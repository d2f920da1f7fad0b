using System.Text.Json;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;
using Microsoft.Agents.AI.Workflows.Checkpointing;
using Xunit;

namespace DurableEval.Tests.AgentFramework;

/// <summary>
/// The Agent Framework resume check shown failing on broken behaviour: the same crash, resume and oracle as
/// EX-07, on the framework's own file store wrapped so that its last checkpoint write is lost (it reports success
/// and never reaches the folder). The resumed run then restarts from an older checkpoint and re-runs a step that
/// had completed before the last one; the check must fail.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class AgentFrameworkSelfTests
{
    [Fact]
    public async Task ResumeCheckFailsWhenTheStoreLosesTheLastCheckpoint()
    {
        const int crashAt = 3;
        using var resume = new CheckpointResume(AgentFrameworkHostInfo.NewCheckpointFolder("selftest"), LosingStore);
        Assert.True(await resume.CrashAtAsync(crashAt, CancellationToken.None), "the crash point was never reached");

        var observed = await resume.ResumeAsync(from: null, checkpointedSteps: crashAt - 1, variant: "", CancellationToken.None);
        var verdict = CheckpointResumeOracle.NoRerunBeforeCheckpoint(observed);

        Assert.Equal(OracleOutcome.Failed, verdict.Outcome);
        Assert.Contains($"step {crashAt - 1} ran 1 time(s) after the resume, expected 0", verdict.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResumeCheckPassesOnTheRealStore()
    {
        const int crashAt = 3;
        using var resume = new CheckpointResume(AgentFrameworkHostInfo.NewCheckpointFolder("selftest"), CheckpointResume.FileStore);
        Assert.True(await resume.CrashAtAsync(crashAt, CancellationToken.None), "the crash point was never reached");

        var observed = await resume.ResumeAsync(from: null, checkpointedSteps: crashAt - 1, variant: "", CancellationToken.None);

        Assert.Equal(OracleOutcome.Passed, CheckpointResumeOracle.NoRerunBeforeCheckpoint(observed).Outcome);
        Assert.Equal(OracleOutcome.Passed, CheckpointResumeOracle.SameResult(observed).Outcome);
    }

    [Fact]
    public void ResumeOracleJudgesCountsAndOutput()
    {
        var good = new ResumeObservation(4, 2, new Dictionary<int, int> { [3] = 1, [4] = 1 }, "x", "x", null, "the latest checkpoint");
        Assert.Equal(OracleOutcome.Passed, CheckpointResumeOracle.NoRerunBeforeCheckpoint(good).Outcome);
        Assert.Equal(OracleOutcome.Failed, CheckpointResumeOracle.NoRerunBeforeCheckpoint(good with { ExecutionsAfterResume = new Dictionary<int, int> { [2] = 1, [3] = 1, [4] = 1 } }).Outcome);
        Assert.Equal(OracleOutcome.Failed, CheckpointResumeOracle.NoRerunBeforeCheckpoint(good with { ExecutionsAfterResume = new Dictionary<int, int> { [3] = 2, [4] = 1 } }).Outcome);
        Assert.Equal(OracleOutcome.Passed, CheckpointResumeOracle.SameResult(good).Outcome);
        Assert.Equal(OracleOutcome.Failed, CheckpointResumeOracle.SameResult(good with { Output = "y" }).Outcome);
    }

    /// <summary>
    /// The human-in-the-loop check of SG-02 and AI-03 against a broken delivery: the response sent to a port the request
    /// did not come from. The run still paused, but it did not continue with the response, so the check fails.
    /// </summary>
    [Fact]
    public async Task HumanInTheLoopCheckFailsWhenTheResponseGoesToTheWrongPort()
    {
        var decision = new ApprovalDecision(true, "alice");
        var misrouted = await ApprovalRun.RunAsync($"order-{Guid.NewGuid():N}"[..14], decision, restart: false, answerOnPort: "another-port", CancellationToken.None);
        Assert.True(misrouted.Paused, misrouted.DescribePause());
        Assert.False(misrouted.ContinuedWithResponse, misrouted.DescribeEnd());

        var delivered = await ApprovalRun.RunAsync($"order-{Guid.NewGuid():N}"[..14], decision, restart: false, answerOnPort: null, CancellationToken.None);
        Assert.True(delivered.ContinuedWithResponse, delivered.DescribeEnd());
    }

    /// <summary>The real file store, except that the second checkpoint written through this instance is lost.</summary>
    private static (CheckpointManager Manager, IDisposable Store) LosingStore(string folder)
    {
        var inner = new FileSystemJsonCheckpointStore(new DirectoryInfo(folder));
        return (CheckpointManager.CreateJson(new LosingSecondWriteStore(inner)), inner);
    }

    private sealed class LosingSecondWriteStore(ICheckpointStore<JsonElement> inner) : ICheckpointStore<JsonElement>
    {
        private int writes;

        public ValueTask<CheckpointInfo> CreateCheckpointAsync(string sessionId, JsonElement value, CheckpointInfo? parent = null) =>
            Interlocked.Increment(ref writes) == 2 ? ValueTask.FromResult(new CheckpointInfo(sessionId, Guid.NewGuid().ToString("N"))) : inner.CreateCheckpointAsync(sessionId, value, parent);

        public ValueTask<JsonElement> RetrieveCheckpointAsync(string sessionId, CheckpointInfo key) => inner.RetrieveCheckpointAsync(sessionId, key);

        public ValueTask<IEnumerable<CheckpointInfo>> RetrieveIndexAsync(string sessionId, CheckpointInfo? withParent = null) => inner.RetrieveIndexAsync(sessionId, withParent);
    }
}
