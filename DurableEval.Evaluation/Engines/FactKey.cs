namespace DurableEval.Evaluation;

/// <summary>One fact's identity in a run: the engine it measures and the criterion it evaluates.</summary>
public readonly record struct FactKey(string Engine, string Criterion)
{
    public static FactKey Temporal(string criterion) => new(Engines.Temporal.Id, criterion);

    /// <summary>"EX-01" for Temporal, as every earlier report named it; "durabletask EX-01" for the other engines.</summary>
    public override string ToString() => Engine == Engines.Temporal.Id ? Criterion : $"{Engine} {Criterion}";
}
