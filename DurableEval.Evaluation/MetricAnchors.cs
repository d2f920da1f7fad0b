namespace DurableEval.Evaluation;

/// <summary>
/// A figure someone else published, with the address it was published at. <see cref="Value"/> is the figure as a
/// number in the metric's unit when the publication fixes one (charts plot it beside the measurement).
/// </summary>
public sealed record PublishedAnchor(string Figure, string Source, double? Value = null);

/// <summary>A figure this project measured itself on an earlier run; never presented as published.</summary>
public sealed record ReferenceFigure(string Figure, string MeasuredOn);

/// <summary>
/// Context printed beside measured metrics so a reader can judge a number, kept in two separate kinds: published
/// anchors (a figure and its source URL) and reference figures this project measured earlier (labelled so). Neither
/// is an expected value a fact asserts.
/// </summary>
public static class MetricAnchors
{
    public const string ReferenceLabel = "measured by DurableEval earlier";

    private const string RetryPolicies = "https://docs.temporal.io/encyclopedia/retry-policies";

    private static readonly Dictionary<(string Criterion, string Metric), PublishedAnchor> Published = new()
    {
        // Temporal's retry-policy definition: the n-th retry waits initial interval x coefficient^(n-1), at most the
        // maximum interval. RT-01 runs initial 10 s, coefficient 2, and (capped) maximum 15 s.
        [("RT-01", "backoff_interval_1_s")] = Backoff(10, "initial interval 10 s"),
        [("RT-01", "backoff_interval_2_s")] = Backoff(20, "10 s x coefficient 2"),
        [("RT-01", "backoff_interval_3_s")] = Backoff(40, "10 s x coefficient 2^2"),
        [("RT-01", "capped_interval_1_s")] = Backoff(10, "initial interval 10 s"),
        [("RT-01", "capped_interval_2_s")] = Backoff(15, "20 s capped at maximum interval 15 s"),
        [("RT-01", "capped_interval_3_s")] = Backoff(15, "40 s capped at maximum interval 15 s"),

        // Temporal Cloud's published latency objective bounds a service request, not a workflow step; it is the
        // nearest published figure a reader can hold a local step's tail against.
        [("PF-01", "step_regular_p99_ms")] = new(
            "200 ms p99 latency objective for Temporal Cloud service requests (a request bound, not a per-step figure)",
            "https://docs.temporal.io/cloud/service-availability", 200),
    };

    private static readonly Dictionary<(string Criterion, string Metric), ReferenceFigure> References = new()
    {
        [("EX-05", "task_failure_detection_ms")] = new(
            "280 ms to the first WorkflowTaskFailed for Task.Run", "Java test server 1.38 (shared/TEMPORAL-FACTS.md, EX-05)"),
        [("EX-07", "replay_ms_max")] = new(
            "1-36 ms per history after a 120-585 ms first-replay warm-up", "shared/TEMPORAL-FACTS.md, DX-07"),
    };

    public static IReadOnlyDictionary<(string Criterion, string Metric), PublishedAnchor> AllPublished => Published;

    public static IReadOnlyDictionary<(string Criterion, string Metric), ReferenceFigure> AllReferences => References;

    public static PublishedAnchor? Find(string criterionId, string metric) => Published.GetValueOrDefault((criterionId, metric));

    public static ReferenceFigure? FindReference(string criterionId, string metric) => References.GetValueOrDefault((criterionId, metric));

    /// <summary>"figure (source)" for a table cell, or a dash.</summary>
    public static string PublishedText(string criterionId, string metric) =>
        Find(criterionId, metric) is { } a ? $"{a.Figure} ({a.Source})" : "\u2014";

    /// <summary>"figure (measured by DurableEval earlier: where)" for a table cell, or a dash.</summary>
    public static string ReferenceText(string criterionId, string metric) =>
        FindReference(criterionId, metric) is { } r ? $"{r.Figure} ({ReferenceLabel}: {r.MeasuredOn})" : "\u2014";

    private static PublishedAnchor Backoff(double seconds, string how) =>
        new($"{EvaluationReport.Number(seconds)} s ({how}; Temporal's retry-policy formula)", RetryPolicies, seconds);
}
