namespace DurableEval.Evaluation;

/// <summary>
/// A row of the engine comparison the source evaluation writes by hand, defined here as a fixed set of catalog
/// criteria so that its cells are computed from evidence. <see cref="Why"/> says why those criteria measure the row.
/// </summary>
public sealed record ComparisonRow(string Name, IReadOnlyList<string> Criteria, string Why);

/// <summary>The source evaluation's comparison rows, in its order; the single place the mapping is stated.</summary>
public static class ComparisonRows
{
    public static IReadOnlyList<ComparisonRow> Source { get; } =
    [
        new("Durability", ["EX-01", "EX-04", "CP-02"],
            "a run survives losing its worker (EX-01), its state is persisted step by step (EX-04), and it resumes without re-running completed steps (CP-02)"),
        new("Human-in-the-loop", ["SG-02", "AI-03"],
            "a run waits for outside input with a deadline (SG-02) and an approval can take days (AI-03)"),
        new("Replay", ["EX-07", "DX-07"],
            "a recorded run replays with the same result and no re-executed step (EX-07), and replay can be run locally over many runs (DX-07)"),
        new("Versioning", ["VR-01", "VR-02"],
            "changed code meets in-flight runs safely (VR-01) and a breaking change is caught before it ships (VR-02); migration and payload schemas are in the VR category row"),
        new("Learning curve", ["DX-06", "DX-01"],
            "the pitfalls a newcomer must learn that the SDK does not catch (DX-06) and how much code a first workflow takes (DX-01)"),
        new("LLM-native", ["AI-01", "AI-02", "AI-04", "AI-05", "AI-06"],
            "model calls as durable steps, nondeterministic answers, streaming, agent loops and tool faults; human approval (AI-03) is the Human-in-the-loop row, so it is not counted twice"),
    ];
}
