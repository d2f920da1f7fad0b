using DurableEval.Tests.Servers;
using Temporalio.Exceptions;

namespace DurableEval.Tests.Evidence;

/// <summary>Small observation helpers shared by the facts: outcomes captured as values, and short evidence texts.</summary>
public static class Observe
{
    /// <summary>How long a fact waits for something it expects to happen soon (a query to answer, a task to fail).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs an action whose failure is the observation: returns the Temporal (or cancellation, or client-side
    /// invalid-operation) exception instead of throwing it, or null when the action succeeded.
    /// </summary>
    public static async Task<Exception?> FailureOfAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e) when (e is TemporalException or OperationCanceledException or InvalidOperationException)
        {
            return e;
        }
    }

    public static string Describe(Exception? e) => e switch
    {
        null => "no exception (accepted)",
        RpcException rpc => $"RpcException {rpc.Code}: {ServerFixture.OneLine(rpc.Message)}",
        _ => $"{e.GetType().Name}: {ServerFixture.OneLine(e.Message)}",
    };

    /// <summary>An exception and its inner exceptions, outermost first.</summary>
    public static IEnumerable<Exception> Chain(Exception? e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    /// <summary>"WorkflowFailedException > ActivityFailureException [retry MaximumAttemptsReached] > ...: message".</summary>
    public static string DescribeChain(Exception? e)
    {
        if (e is null)
        {
            return "no failure";
        }

        var links = Chain(e).Select(x => x switch
        {
            ActivityFailureException a => $"{x.GetType().Name} [retry state {a.RetryState}]",
            ApplicationFailureException a => string.IsNullOrEmpty(a.ErrorType)
                ? $"{x.GetType().Name} [non-retryable {a.NonRetryable}]"
                : $"{x.GetType().Name} [{a.ErrorType}, non-retryable {a.NonRetryable}]",
            TimeoutFailureException t => $"{x.GetType().Name} [{t.TimeoutType}]",
            _ => x.GetType().Name,
        });
        var message = Chain(e).Last().Message;
        return string.IsNullOrWhiteSpace(message) ? string.Join(" > ", links) : $"{string.Join(" > ", links)}: {ServerFixture.OneLine(message)}";
    }

    /// <summary>The first characters of a run id: enough to tell runs apart in an evidence line.</summary>
    public static string Short(string? runId) => string.IsNullOrEmpty(runId) ? "none" : runId[..Math.Min(8, runId.Length)];
}
