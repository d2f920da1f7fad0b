namespace DurableEval.Evaluation;

/// <summary>One of the eleven groups the criteria are reported in, in catalog order.</summary>
public sealed record Category(string Code, string Name);

public static class Categories
{
    public static readonly Category Execution = new("EX", "Execution Semantics");
    public static readonly Category RetryTimeout = new("RT", "Retry & Timeout");
    public static readonly Category Primitives = new("WF", "Workflow Primitives");
    public static readonly Category Signals = new("SG", "Signals & Events");
    public static readonly Category Versioning = new("VR", "Versioning & Migration");
    public static readonly Category Compensation = new("CP", "Compensation & Recovery");
    public static readonly Category Performance = new("PF", "Performance & Overhead");
    public static readonly Category Operations = new("OP", "Operations");
    public static readonly Category Observability = new("OB", "Observability");
    public static readonly Category DeveloperExperience = new("DX", "Developer Experience");
    public static readonly Category Agents = new("AI", "AI / Agent Integration");

    public static IReadOnlyList<Category> All { get; } =
    [
        Execution, RetryTimeout, Primitives, Signals, Versioning, Compensation,
        Performance, Operations, Observability, DeveloperExperience, Agents,
    ];
}
