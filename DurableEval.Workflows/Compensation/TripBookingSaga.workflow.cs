using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Compensation;

/// <summary>
/// Steps to book; <see cref="FailAt"/> is the step whose booking is rejected (0: none), and <see cref="WaitAfter"/>
/// the number of steps after which the saga waits for a confirmation that never comes (0: no wait), so a fact
/// can cancel it there.
/// </summary>
public sealed record SagaPlan(int Steps, int FailAt, int WaitAfter = 0);

/// <summary>
/// A saga: book each step, remembering how to undo it; on a rejected booking or a cancellation, undo the booked
/// steps newest first on a detached cancellation token (one not linked to the workflow's, so a cancelled
/// workflow can still run them), then rethrow so the run reports the original failure or ends cancelled.
/// </summary>
[Workflow]
public class TripBookingSaga
{
    private bool confirmed;

    [WorkflowQuery]
    public int Booked { get; private set; }

    [WorkflowQuery]
    public bool Waiting { get; private set; }

    [WorkflowRun]
    public async Task<string> RunAsync(SagaPlan plan)
    {
        var undo = new Stack<int>();
        try
        {
            for (var step = 1; step <= plan.Steps; step++)
            {
                var current = step;
                await Workflow.ExecuteActivityAsync((TripActivities a) => a.Book(current, plan.FailAt), Options(Workflow.CancellationToken));
                undo.Push(current);
                Booked = current;
                if (current == plan.WaitAfter)
                {
                    Waiting = true;
                    await Workflow.WaitConditionAsync(() => confirmed);
                    Waiting = false;
                }
            }

            return $"booked {plan.Steps} steps";
        }
        catch (Exception e) when (e is ActivityFailureException || TemporalException.IsCanceledException(e))
        {
            using var detached = new CancellationTokenSource();
            while (undo.TryPop(out var step))
            {
                await Workflow.ExecuteActivityAsync((TripActivities a) => a.Compensate(step), Options(detached.Token));
            }

            throw;
        }
    }

    [WorkflowSignal]
    public Task ConfirmAsync()
    {
        confirmed = true;
        return Task.CompletedTask;
    }

    private static ActivityOptions Options(CancellationToken token) => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        CancellationToken = token,
    };
}

public sealed class TripActivities(SagaLedger ledger)
{
    public const string Rejected = "BookingRejected";

    [Activity]
    public string Book(int step, int failAt)
    {
        ledger.Record(WorkflowId, SagaLedger.Booked(step));
        if (step == failAt)
        {
            throw new ApplicationFailureException($"booking of step {step} rejected by the supplier", Rejected, nonRetryable: true);
        }

        return $"booked-{step}";
    }

    [Activity]
    public string Compensate(int step)
    {
        ledger.Record(WorkflowId, SagaLedger.Undone(step));
        return $"undone-{step}";
    }

    private static string WorkflowId => ActivityExecutionContext.Current.Info.WorkflowId ?? "standalone";
}
