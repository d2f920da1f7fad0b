using System.Globalization;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// One model call of a model-call kill run, as the test saw it: how many chat requests the loopback endpoint
/// received for it before the kill and in all, and what the final history records about it.
/// </summary>
/// <param name="Run">Short label of the workflow run ("w0").</param>
/// <param name="Call">The call's position in its run, from 1.</param>
/// <param name="HeldForAtKill">How long the endpoint had held this call's request open when the worker process was killed; null when it held none.</param>
/// <param name="RequestsBeforeKill">Requests the endpoint had received for this call when the kill was taken.</param>
/// <param name="Requests">Requests received for this call by the end of the run.</param>
/// <param name="HistoryAttempt">Attempt on the call's ActivityTaskStarted event in the final history; null when it never started.</param>
/// <param name="CompletedBy">Worker identity on the call's ActivityTaskCompleted event; null when it never completed.</param>
/// <param name="AnswerServed">The run returned, for this call, the text the endpoint served to the call's last request.</param>
public sealed record ModelCallSighting(
    string Run,
    int Call,
    TimeSpan? HeldForAtKill,
    int RequestsBeforeKill,
    int Requests,
    int? HistoryAttempt,
    string? CompletedBy,
    bool AnswerServed)
{
    public bool HeldAtKill => HeldForAtKill is not null;
}

/// <summary>
/// Everything the model-call kill oracle judges: the killed worker, the call timeout (start-to-close), whether the
/// kill was taken, every call, every run that failed.
/// </summary>
public sealed record ModelCallKillObservation(
    string KilledWorker,
    TimeSpan CallTimeout,
    bool KillTaken,
    IReadOnlyList<ModelCallSighting> Calls,
    IReadOnlyList<string> RunFailures,
    WorkerExit? Exit = null);

/// <summary>
/// The LLM-cost oracle of a worker killed during a model call: the call the kill interrupted reaches the model
/// exactly once more (its retry), and no other call reaches it more than once — neither those the server had
/// recorded before the kill nor those run after it. The final history must agree: attempt 2 for an interrupted
/// call, attempt 1 for every other, and the completions recorded before the kill carry the killed worker's identity.
/// A kill that did not land on an in-flight call's only attempt is not evaluated.
/// </summary>
public static class ModelCallOracle
{
    public static OracleVerdict Judge(ModelCallKillObservation observation)
    {
        // A worker that could not start, or died by itself, ended the run: its reason, never "the kill did not land".
        if (observation.Exit is { } exit)
        {
            return exit.Verdicts().AllComplete;
        }

        var held = observation.Calls.Where(c => c.HeldAtKill).ToList();
        if (!observation.KillTaken || held.Count == 0)
        {
            return OracleVerdict.NotRun("the kill did not land during a model call: no request was held open by the endpoint when the worker was killed");
        }

        // A call held about as long as its timeout may have timed out and been retried before the kill: the kill
        // then did not land on its only attempt, and the count would charge the timeout to the kill. The attempt
        // started a moment before its request arrived, hence the margin.
        var stale = held.Where(c => c.HeldForAtKill >= observation.CallTimeout - StaleMargin).ToList();
        if (stale.Count > 0)
        {
            return OracleVerdict.NotRun(
                $"the kill did not land on a call's only attempt: {string.Join(", ", stale.Select(c => $"{Name(c)} was held {Ms(c.HeldForAtKill!.Value)} ms"))} of a "
                + $"{Ms(observation.CallTimeout)} ms call timeout before the kill (raise the call timeout)");
        }

        var problems = new List<string>(observation.RunFailures.Select(f => "run failed: " + f));
        foreach (var call in held.Where(c => c.RequestsBeforeKill != 1))
        {
            problems.Add($"{Name(call)} (held at the kill) reached the model {Count(call.RequestsBeforeKill)} before the kill, within {Ms(call.HeldForAtKill!.Value)} ms of a {Ms(observation.CallTimeout)} ms call timeout: no timeout explains it");
        }

        foreach (var call in observation.Calls)
        {
            var phase = Phase(call);
            var expectedRequests = call.HeldAtKill ? 2 : 1;
            if (call.Requests != expectedRequests)
            {
                problems.Add($"{Name(call)} ({phase}) reached the model {Count(call.Requests)}, expected {Count(expectedRequests)}");
            }

            var expectedAttempt = call.HeldAtKill ? 2 : 1;
            if (call.HistoryAttempt != expectedAttempt)
            {
                problems.Add($"{Name(call)} ({phase}): history records attempt {call.HistoryAttempt?.ToString(CultureInfo.InvariantCulture) ?? "none"}, expected {expectedAttempt}");
            }

            var beforeKill = !call.HeldAtKill && call.RequestsBeforeKill > 0;
            if (call.CompletedBy is null)
            {
                problems.Add($"{Name(call)} ({phase}): no completion in history");
            }
            else if (beforeKill != (call.CompletedBy == observation.KilledWorker))
            {
                problems.Add(beforeKill
                    ? $"{Name(call)} ({phase}): completed by {call.CompletedBy} in history, not by the killed {observation.KilledWorker}"
                    : $"{Name(call)} ({phase}): completed by the killed {observation.KilledWorker} in history");
            }

            if (!call.AnswerServed)
            {
                problems.Add($"{Name(call)} ({phase}): the run's answer is not what the endpoint served");
            }
        }

        var before = observation.Calls.Count(c => !c.HeldAtKill && c.RequestsBeforeKill > 0);
        var after = observation.Calls.Count(c => !c.HeldAtKill && c.RequestsBeforeKill == 0);
        var total = observation.Calls.Sum(c => c.Requests);
        var summary = $"kill of {observation.KilledWorker} landed on {held.Count} held call(s); {total} model requests for {observation.Calls.Count} calls "
            + $"({held.Count} interrupted, {before} completed before the kill, {after} after it)";
        return problems.Count == 0
            ? OracleVerdict.Of(true, $"{summary}: each interrupted call reached the model exactly twice (history attempt 2), every other call once (attempt 1); the {before} completions before the kill carry the killed worker's identity")
            : OracleVerdict.Of(false, $"{summary}; {problems.Count} problem(s): {string.Join("; ", problems.Take(8))}");
    }

    /// <summary>How much earlier than its request an attempt may have started.</summary>
    private static readonly TimeSpan StaleMargin = TimeSpan.FromSeconds(1);

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private static string Phase(ModelCallSighting call) =>
        call.HeldAtKill ? "held at the kill" : call.RequestsBeforeKill > 0 ? "completed before the kill" : "after the kill";

    private static string Name(ModelCallSighting call) => $"{call.Run} call {call.Call.ToString(CultureInfo.InvariantCulture)}";

    private static string Count(int requests) => requests == 1 ? "1 time" : $"{requests.ToString(CultureInfo.InvariantCulture)} times";
}
