using DurableEval.Workflows.Shared;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>
/// Records the chain's steps in the kill protocol's <see cref="StepJournal"/>. The framework hands an executor no
/// attempt number and no deduplication key, so each raw execution records attempt 1 and its own execution id as
/// the key: what the oracles then judge is exactly what the framework gave the step, nothing the test invented.
/// </summary>
public sealed class StepJournalRecorder(StepJournal journal, string worker, int workMilliseconds) : IStepRecorder
{
    public const int Attempt = 1;

    public string Started(string session, int step, string executorId)
    {
        var execution = Guid.NewGuid().ToString("N");
        journal.Started(session, step, executorId, Attempt, execution, worker, execution);
        return execution;
    }

    public void Completed(string session, int step, string executorId, string execution) =>
        journal.CompleteWithEffect(session, step, executorId, Attempt, execution, worker, execution);

    public Task WorkAsync(string session, int step, CancellationToken cancellation) => Task.Delay(workMilliseconds, cancellation);
}
