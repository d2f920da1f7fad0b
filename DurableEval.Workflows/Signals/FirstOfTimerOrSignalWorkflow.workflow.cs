using Temporalio.Workflows;

namespace DurableEval.Workflows.Signals;

/// <summary>
/// Races a durable timer against a signal-driven condition with Workflow.WhenAnyAsync, cancels the loser and
/// reports which won and how the loser ended, so a fact can check the first finisher wins and the other is
/// cancelled cleanly (a TimerCanceled event when the timer loses).
/// </summary>
[Workflow]
public class FirstOfTimerOrSignalWorkflow
{
    private bool go;

    [WorkflowQuery]
    public bool Racing { get; private set; }

    [WorkflowRun]
    public async Task<RaceOutcome> RunAsync(TimeSpan timer)
    {
        var started = Workflow.UtcNow;
        using var race = CancellationTokenSource.CreateLinkedTokenSource(Workflow.CancellationToken);
        var delay = Workflow.DelayAsync(timer, race.Token);
        var condition = Workflow.WaitConditionAsync(() => go, race.Token);
        Racing = true;
        var first = await Workflow.WhenAnyAsync(delay, condition);
        var elapsed = Workflow.UtcNow - started;
        // Cancel synchronously: CancelAsync would run the cancellation callbacks on the thread pool, outside the workflow scheduler.
        race.Cancel();
        var loser = first == delay ? condition : delay;
        string loserEnd;
        try
        {
            await loser;
            loserEnd = "completed";
        }
        catch (OperationCanceledException)
        {
            loserEnd = "canceled";
        }

        return new(first == delay ? "timer" : "signal", loserEnd, elapsed);
    }

    [WorkflowSignal]
    public Task GoAsync()
    {
        go = true;
        return Task.CompletedTask;
    }
}

/// <summary>Which task finished first, how the other ended after cancellation, and the workflow time of the race.</summary>
public sealed record RaceOutcome(string Winner, string LoserEnded, TimeSpan Elapsed);
