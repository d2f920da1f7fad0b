namespace DurableEval.Evaluation;

/// <summary>A criterion's rating; <see cref="Stars"/> is null when it was not evaluated.</summary>
public sealed record Rating(int? Stars, string Label, string Reason)
{
    public bool IsEvaluated => Stars is not null;

    /// <summary>The criterion does not apply to the engine (its scope says why): unlike "not evaluated", nothing is missing.</summary>
    public bool IsApplicable => Label != Rubric.NotApplicableLabel;

    public static Rating NotEvaluated(string reason) => new(null, Rubric.NotEvaluatedLabel, reason);

    public static Rating NotApplicable(string reason) => new(null, Rubric.NotApplicableLabel, reason);
}
