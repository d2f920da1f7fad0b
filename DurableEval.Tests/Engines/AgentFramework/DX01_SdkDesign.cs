using System.Globalization;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Microsoft.Agents.AI.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>The minimal sample DX-01 counts, kept in the repository so the count follows the code.</summary>
    internal static string AgentMinimalSamplePath => Path.Combine(Settings.RepositoryRoot, "DurableEval.Workflows", "AgentFramework", "MinimalGreetingGraph.cs");

    [SkippableFact]
    [Criterion("DX-01", Engine = Engine)]
    public async Task DX01_SdkDesign()
    {
        var fact = Begin();
        var name = $"Agent Framework {Guid.NewGuid():N}"[..24];
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("minimal-sample-runs", "The counted sample runs as written: its graph runs in process and yields the greeting computed from the input as the workflow's output"),
                Edge("invalid-definitions-rejected", "Every invalid graph (two executors with one id, an edge whose target cannot handle the source's message type) is rejected when built, with a message naming the executor or the rule"),
            ],
            async checks =>
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(checks.Cancellation);
                bound.CancelAfter(TimeSpan.FromSeconds(10));
                var result = await MinimalGreetingGraph.RunOnceAsync(name, bound.Token);
                checks.Expect("minimal-sample-runs", result == $"Hello, {name}!", $"output \"{result ?? "none"}\" for input \"{name}\"");

                var observed = new (string Shape, string Expect, string? Message)[]
                {
                    ("two executors with the id 'greet'", "greet", BuildError(() =>
                    {
                        ExecutorBinding first = new GreetExecutor();
                        ExecutorBinding second = new GreetExecutor();
                        return new WorkflowBuilder(first).AddEdge(first, second).WithOutputFrom(second).Build();
                    })),
                    ("an edge from an int-sending executor to a string-handling one", "length", BuildError(PitfallWorkflows.MismatchedEdge)),
                };
                checks.Expect(
                    "invalid-definitions-rejected",
                    observed.All(o => o.Message is { } m && m.Contains(o.Expect, StringComparison.OrdinalIgnoreCase)),
                    string.Join("; ", observed.Select(o => $"{o.Shape}: {(o.Message is null ? "accepted by Build()" : $"\"{o.Message}\"")}")));
            });

        MinimalSample.Measure(fact, AgentMinimalSamplePath, "an executor, its graph and an in-process run that returns the output", "It has no durability: checkpointing needs a CheckpointManager and the resume logic EX-07 shows.");

        fact.Cite("Executors derive from Executor<TInput, TOutput>; WorkflowBuilder connects them with edges and names the output executors; InProcessExecution runs the workflow.", "https://learn.microsoft.com/agent-framework/workflows/overview");
        fact.Conclude();
    }

    private static string? BuildError(Func<Workflow> build)
    {
        try
        {
            build();
            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }
}
