namespace DurableEval.Evaluation;

/// <summary>Why an applicable criterion has no stars, in the words the derived sections print.</summary>
public static class NotEvaluatedReason
{
    /// <summary>Longer reasons are cut here in a table cell or checklist line; the full text is in the engine's section.</summary>
    public const int MaxLength = 120;

    private const string NotRunPrefix = "not run: ";

    /// <summary>
    /// The cause without the rubric's framing: the first core check that could not run gives its own detail (so the
    /// criteria of one engine that all lacked the same server share one reason), otherwise the rating's reason
    /// ("no fact yet", "skipped: ...", "not selected by this run's filter"), since "not evaluated" already says it did not run.
    /// </summary>
    public static string Cause(CriterionResult r)
    {
        var coreNotRun = r.Evidence?.Checks.FirstOrDefault(c => c.Kind == CheckKind.Core && c.Outcome == CheckOutcome.NotRun);
        if (coreNotRun is not null && r.Rating.Reason.StartsWith("core check ", StringComparison.Ordinal))
        {
            return coreNotRun.Detail;
        }

        return r.Rating.Reason.StartsWith(NotRunPrefix, StringComparison.Ordinal) ? r.Rating.Reason[NotRunPrefix.Length..] : r.Rating.Reason;
    }

    /// <summary>
    /// <see cref="Cause"/> as a short line. A reason the engine's report states once as a shared reason (with its fix)
    /// keeps only its first clause, what is missing, and points to its key: "time-skipping test server unavailable
    /// (see Temporal's N1)"; any other reason is cut to <see cref="MaxLength"/>.
    /// </summary>
    public static string Text(CriterionResult r, EvaluationReport report)
    {
        var cause = Cause(r);
        var shared = report.SharedReasons.FirstOrDefault(s => s.Text == cause);
        return shared is null ? Cut(cause) : $"{Cut(FirstClause(cause))} (see {report.Engine.Name}'s {shared.Key})";
    }

    /// <summary>The text before the first "; " (reasons say what is missing, then the fix).</summary>
    internal static string FirstClause(string text)
    {
        var end = text.IndexOf("; ", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    internal static string Cut(string text) =>
        text.Length <= MaxLength ? text : text[..(MaxLength - 3)].TrimEnd() + "...";
}
