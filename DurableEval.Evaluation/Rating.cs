namespace DurableEval.Evaluation;

/// <summary>A criterion's rating; <see cref="Stars"/> is null when it was not evaluated.</summary>
public sealed record Rating(int? Stars, string Label, string Reason)
{
    public bool IsEvaluated => Stars is not null;

    public static Rating NotEvaluated(string reason) => new(null, Rubric.NotEvaluatedLabel, reason);
}
