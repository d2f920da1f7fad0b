namespace DurableEval.Evaluation;

/// <summary>
/// The criteria whose facts never run beside other work when the evaluation runs in parallel lanes: a check of
/// theirs compares a real-time duration or a rate with a bar, or they kill worker processes, so a neighbour's CPU
/// load could change their outcome or their numbers. Stated once, here; the scheduler, the report and a self-test
/// (every performance criterion, every time or rate threshold and every kill-protocol fact is listed) read it.
/// </summary>
public static class RunAlone
{
    public static IReadOnlyDictionary<string, string> Reasons { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["PF-01"] = "step latency percentiles and their thresholds",
        ["PF-02"] = "fan-out throughput against a rate threshold",
        ["PF-03"] = "codec throughput against a rate threshold",
        ["RT-02"] = "real-time activity timeouts must fire within 0.5 s of their bound",
        ["WF-06"] = "rate limits are judged by how activity starts spread over real time",
        ["OP-04"] = "throughput of one worker compared with two",
        ["DX-03"] = "median start-up time of a local environment against a threshold",
        ["DX-04"] = "a skipped 30-day timer's wall time against an unskipped 1 s timer and a threshold",
        ["DX-07"] = "replay throughput against a rate threshold",
        ["EX-01"] = "the kill protocol: worker processes killed mid-step, timeouts in real time",
        ["CP-02"] = "the kill protocol: worker processes killed mid-step, timeouts in real time",
        ["AI-01"] = "a worker process killed during a model call; the call's retry is told from a timeout by real time",
    };

    public static bool Applies(string criterionId) => Reasons.ContainsKey(criterionId);

    /// <summary>Whether a threshold bounds a time or a rate, which a busy neighbour would move.</summary>
    public static bool IsTimeOrRate(Threshold threshold) =>
        threshold.Unit is "ms" or "s" || threshold.Unit.EndsWith("/s", StringComparison.Ordinal);
}
