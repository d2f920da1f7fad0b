using Microsoft.DurableTask;

namespace DurableEval.Workflows.DurableTask;

/// <summary>A saga of <see cref="Steps"/> bookings; <see cref="FailAt"/> is rejected (0: none); after <see cref="PauseAfter"/> steps it waits for "continue" (0: no pause).</summary>
public sealed record SagaPlan(int Steps, int FailAt, int PauseAfter);

/// <summary>Books one step into the log; the step the plan rejects throws.</summary>
public sealed class BookStepActivity(DurableCallLog log) : TaskActivity<int[], int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int[] input)
    {
        var (step, failAt) = (input[0], input[1]);
        log.Record(context.InstanceId, "book", step.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return step == failAt ? throw new InvalidOperationException($"booking rejected at step {step}") : Task.FromResult(step);
    }
}

/// <summary>Undoes one booked step, recorded in the log.</summary>
public sealed class UndoStepActivity(DurableCallLog log) : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        log.Record(context.InstanceId, "undo", input.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.FromResult(input);
    }
}

/// <summary>Books steps in order; on a rejection undoes the booked ones newest first (try/catch, the documented compensation pattern), then fails with the original error.</summary>
public sealed class BookingSagaOrchestrator : TaskOrchestrator<SagaPlan, int>
{
    public const string ContinueEvent = "continue";

    public override async Task<int> RunAsync(TaskOrchestrationContext context, SagaPlan input)
    {
        var booked = new Stack<int>();
        try
        {
            for (var step = 1; step <= input.Steps; step++)
            {
                await context.CallActivityAsync<int>(nameof(BookStepActivity), new[] { step, input.FailAt });
                booked.Push(step);
                if (step == input.PauseAfter)
                {
                    await context.WaitForExternalEvent<string>(ContinueEvent);
                }
            }

            return booked.Count;
        }
        catch (TaskFailedException)
        {
            while (booked.Count > 0)
            {
                await context.CallActivityAsync<int>(nameof(UndoStepActivity), booked.Pop());
            }

            throw;
        }
    }
}
