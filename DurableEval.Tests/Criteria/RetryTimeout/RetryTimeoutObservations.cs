using System.Globalization;
using System.Reflection;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.RetryTimeout;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>Observations and helpers shared by the RetryTimeoutFacts facts.</summary>
public sealed partial class RetryTimeoutFacts
{
    // Backoff is skipped server time, exact to the event; a second absorbs the worker's own latency per attempt.
    private static readonly TimeSpan GapTolerance = TimeSpan.FromSeconds(1);

    // A timeout must not fire early, and late only by what this server's measured noise needs. Measured on the
    // time-skipping server on a loaded 2-core machine (elapsed from ActivityTaskScheduled to ActivityTaskTimedOut):
    // start-to-close 1 s fired after 1.039 s, schedule-to-start 1 s after 1.011 s, so 0.5 s is ten times the
    // noise. Heartbeat (1 s, 1.776 s) counts from the last heartbeat, which comes after the activity's own start,
    // and schedule-to-close (2 s, 2.94 s) is enforced only at the running retry's own deadline on this server
    // (see the finding): those two are allowed 1.5 s.
    private static TimeSpan LateToleranceFor(ActivityTimeoutKind kind) => kind switch
    {
        ActivityTimeoutKind.StartToClose or ActivityTimeoutKind.ScheduleToStart => TimeSpan.FromSeconds(0.5),
        _ => TimeSpan.FromSeconds(1.5),
    };

    /// <summary>What one retry run showed: its outcome and the attempts the activity journaled.</summary>
    private sealed record RetryRun(string? Result, WorkflowFailedException? Failure, IReadOnlyList<AttemptRecord> Attempts, TimeSpan Wall)
    {
        public IReadOnlyList<double> GapsSeconds =>
            Attempts.Zip(Attempts.Skip(1), (a, b) => (b.StartedTime - a.StartedTime).TotalSeconds).ToList();

        public ActivityFailureException? Activity => Failure?.InnerException as ActivityFailureException;

        public ApplicationFailureException? Application => Activity?.InnerException as ApplicationFailureException;
    }

    /// <summary>How a workflow run into its timeout ended, with server-time elapsed from start to close.</summary>
    private sealed record TimedOutRun(WorkflowExecutionStatus Status, WorkflowFailedException? Failure, EventType LastEvent, TimeSpan ServerElapsed, bool TimerFired)
    {
        public TimeoutType? TimeoutType => (Failure?.InnerException as TimeoutFailureException)?.TimeoutType;
    }

    /// <summary>How an activity timeout probe ended, with server time from scheduling (and from the last start) to the timeout.</summary>
    private sealed record ActivityTimeoutRun(
        string? Result, WorkflowFailedException? Failure, IReadOnlyList<TimeoutFailureException> Timeouts, TimeSpan? SinceScheduled, TimeSpan? SinceLastStart)
    {
        public TimeoutType? Innermost => Timeouts.LastOrDefault()?.TimeoutType;
    }

    /// <summary>
    /// Times a probe from the history's scheduled and timed-out events; the last attempt's start comes from the
    /// activity itself, because a timed-out activity's history may have no started event (the test server writes none).
    /// </summary>
    private static async Task<ActivityTimeoutRun> ObserveTimeoutAsync(WorkflowHandle<ActivityTimesOutWorkflow, string> handle, AttemptJournal journal)
    {
        var (result, failure) = await OutcomeAsync(() => handle.GetResultAsync());
        var history = await handle.FetchHistoryAsync();
        DateTime? TimeOf(EventType type) => history.Events.LastOrDefault(e => e.EventType == type)?.EventTime.ToDateTime();
        var timedOut = TimeOf(EventType.ActivityTaskTimedOut);
        var lastStart = journal.For(handle.Id).LastOrDefault()?.StartedTime;
        return new(
            result,
            failure,
            Observe.Chain(failure).OfType<TimeoutFailureException>().ToList(),
            timedOut - TimeOf(EventType.ActivityTaskScheduled),
            timedOut - lastStart);
    }

    /// <summary>Where a schedule-to-close budget was enforced: at its end (as documented), or only at the hung retry's own deadline.</summary>
    private static string ScheduleToCloseFinding(TimeSpan budget, ActivityTimeoutRun run)
    {
        if (run.SinceScheduled is not { } used || run.SinceLastStart is not { } retryRan)
        {
            return "Schedule-to-close: no timeout event to time.";
        }

        var lateBy = used - budget;
        var atRetryDeadline = (retryRan - budget).Duration() < TimeSpan.FromMilliseconds(250);
        var verdict = lateBy <= TimeSpan.FromMilliseconds(100) ? "at the end of the budget."
            : atRetryDeadline ? Invariant($"{lateBy.TotalSeconds:0.###} s past the budget, exactly when the retry's own start-to-close (trimmed to the budget) expired.")
            : Invariant($"{lateBy.TotalSeconds:0.###} s past the budget.");
        return Invariant($"Schedule-to-close ({budget.TotalSeconds:0} s budget; a fast failure, then a hung retry) fired {used.TotalSeconds:0.###} s after scheduling, {retryRan.TotalSeconds:0.###} s after the retry started: ") + verdict;
    }

    private static void ExpectGaps(FactRecorder fact, CheckScope checks, string id, string metric, RetryRun run, IReadOnlyList<double> expected)
    {
        var gaps = run.GapsSeconds;
        for (var i = 0; i < gaps.Count; i++)
        {
            fact.Metric($"{metric}_{i + 1}_s", gaps[i], "s");
        }

        checks.Expect(
            id,
            run.Result is not null && gaps.Count == expected.Count && gaps.Zip(expected).All(g => Math.Abs(g.First - g.Second) <= GapTolerance.TotalSeconds),
            Invariant($"gaps between attempt starts [{string.Join(", ", gaps.Select(g => g.ToString("0.###", CultureInfo.InvariantCulture)))}] s, expected [{string.Join(", ", expected)}] s ±{GapTolerance.TotalSeconds:0} s; outcome: {run.Result ?? Observe.DescribeChain(run.Failure)}"));
    }

    private static async Task<TimedOutRun> RunIntoTimeoutAsync(ServerLease server, WorkflowOptions options)
    {
        var handle = await server.Client.StartWorkflowAsync((OutlivesItsTimeoutWorkflow w) => w.RunAsync(TimeSpan.FromDays(1)), options);
        var (_, failure) = await OutcomeAsync(() => handle.GetResultAsync());
        var status = (await handle.DescribeAsync()).Status;
        var history = await handle.FetchHistoryAsync();
        var last = history.Events.Last();
        return new(
            status,
            failure,
            last.EventType,
            last.EventTime.ToDateTime() - history.Events.First().EventTime.ToDateTime(),
            HistoryProbe.Count(history, EventType.TimerFired) > 0);
    }

    private static void ExpectTimedOut(CheckScope checks, string id, TimedOutRun run) =>
        checks.Expect(
            id,
            run.Status == WorkflowExecutionStatus.TimedOut && run.Failure?.InnerException is TimeoutFailureException && run.LastEvent == EventType.WorkflowExecutionTimedOut,
            Invariant($"status {run.Status}; last event {run.LastEvent}; result: {Observe.DescribeChain(run.Failure)}; after {run.ServerElapsed.TotalHours:0.###} h of server time"));

    /// <summary>
    /// Polls the server's description of the run until its activity waits for a second attempt; null if it never
    /// does. Raw RPC, because the SDK's WorkflowExecutionDescription keeps the pending activities internal.
    /// </summary>
    private static async Task<PendingActivityInfo?> PendingRetryAsync(ServerLease server, WorkflowHandle handle)
    {
        PendingActivityInfo? pending = null;
        var request = new DescribeWorkflowExecutionRequest
        {
            Namespace = server.Client.Options.Namespace,
            Execution = new() { WorkflowId = handle.Id },
        };
        var seen = await Eventually.HoldsAsync(
            async () =>
            {
                pending = (await server.Client.WorkflowService.DescribeWorkflowExecutionAsync(request)).PendingActivities.FirstOrDefault();
                return pending is { Attempt: >= 2 };
            },
            Observe.Bound);
        return seen ? pending : null;
    }

    private static List<TimeoutType> TimeoutTypes(Temporalio.Api.Failure.V1.Failure? failure)
    {
        var types = new List<TimeoutType>();
        for (var f = failure; f is not null; f = f.Cause)
        {
            if (f.TimeoutFailureInfo is { } info)
            {
                types.Add(info.TimeoutType);
            }
        }

        return types;
    }

    /// <summary>
    /// Above this, a deviation of measured backoff gaps from initial x coefficient^n is more than the worker's own
    /// latency per attempt (measured at 42 ms at most here): it reads as jitter.
    /// </summary>
    internal static readonly TimeSpan JitterThreshold = TimeSpan.FromMilliseconds(250);

    /// <summary>What the measured deviation says about jitter, derived from the number rather than fixed.</summary>
    internal static string JitterObserved(double worstDeviationSeconds)
    {
        if (double.IsNaN(worstDeviationSeconds))
        {
            return "Retry jitter could not be judged: no backoff gaps were measured.";
        }

        var ms = (worstDeviationSeconds * 1000).ToString("0", CultureInfo.InvariantCulture);
        return worstDeviationSeconds * 1000 <= JitterThreshold.TotalMilliseconds
            ? $"Backoff gaps deviated from initial x coefficient^n (capped) by at most {ms} ms, within the {JitterThreshold.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms of worker latency: this server applied no jitter to activity retries."
            : $"Backoff gaps deviated from initial x coefficient^n (capped) by up to {ms} ms, beyond the {JitterThreshold.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms of worker latency: this server randomises (jitters) activity retry intervals.";
    }

    /// <summary>Retry jitter, looked for in the SDK's public surface rather than asserted from memory.</summary>
    private static string JitterFinding()
    {
        var knobs = typeof(RetryPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();
        var wire = typeof(Temporalio.Api.Common.V1.RetryPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.DeclaringType == typeof(Temporalio.Api.Common.V1.RetryPolicy)).Select(p => p.Name).ToList();
        var jitterOwners = PublicMembersNamed("jitter");
        var onRetry = knobs.Concat(wire).Any(n => n.Contains("jitter", StringComparison.OrdinalIgnoreCase));
        return $"Jitter is {(onRetry ? string.Empty : "not ")}configurable for retries: Temporalio.Common.RetryPolicy exposes {string.Join(", ", knobs)} "
            + $"and the wire RetryPolicy {string.Join(", ", wire)}. Public members named for jitter exist only on: {string.Join(", ", jitterOwners)}.";
    }

    /// <summary>A built-in breaker, looked for in the option types that would configure one.</summary>
    private static string CircuitBreakerFinding()
    {
        var optionTypes = new[] { typeof(ActivityOptions), typeof(RetryPolicy), typeof(TemporalWorkerOptions) };
        var properties = optionTypes.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)).ToList();
        var named = properties.Where(p => p.Name.Contains("circuit", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("breaker", StringComparison.OrdinalIgnoreCase)).ToList();
        var elsewhere = PublicMembersNamed("circuitbreaker");
        return $"No built-in breaker for activities: ActivityOptions, RetryPolicy and TemporalWorkerOptions have {properties.Count} public properties, "
            + $"{(named.Count == 0 ? "none" : string.Join(", ", named.Select(p => p.Name)))} named for a circuit breaker. "
            + $"Breaker-named public members exist only on: {(elsewhere.Count == 0 ? "none" : string.Join(", ", elsewhere))}.";
    }

    /// <summary>The SDK's public properties and fields (enum values included) whose name contains the text, as Type.Member.</summary>
    private static List<string> PublicMembersNamed(string text) =>
        typeof(RetryPolicy).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.MemberType is MemberTypes.Property or MemberTypes.Field
                    && m.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                    && !m.Name.EndsWith("FieldNumber", StringComparison.Ordinal))
                .Select(m => $"{t.FullName!.Replace("Temporalio.", string.Empty, StringComparison.Ordinal)}.{m.Name}"))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static async Task<(T? Result, WorkflowFailedException? Failure)> OutcomeAsync<T>(Func<Task<T>> result)
        where T : class
    {
        try
        {
            return (await result(), null);
        }
        catch (WorkflowFailedException e)
        {
            return (null, e);
        }
    }

    private static string Describe(RequestOutcome? o) =>
        o is null ? "missing" : $"#{o.Request} {o.Before}->{o.Outcome}->{o.After}{(o.ErrorType is null ? string.Empty : $" ({o.ErrorType})")}";

    private static string Describe(IReadOnlyList<RequestOutcome> trace) => string.Join("; ", trace.Select(o => Describe(o)));

    private static string Describe(CancellationSeen? seen) =>
        seen is null ? "no cancellation" : $"reason {seen.Reason}, cancel requested {seen.IsCancelRequested}, threw {seen.ThrownType} after {seen.BeatsBefore} beats";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
