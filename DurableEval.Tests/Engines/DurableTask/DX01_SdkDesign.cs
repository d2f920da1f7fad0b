using System.Globalization;
using DurableEval.Tests.Criteria;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    /// <summary>The minimal sample DX-01 counts, kept in the repository so the count follows the code.</summary>
    internal static string DurableMinimalSamplePath => Path.Combine(Settings.RepositoryRoot, "DurableEval.Workflows", "DurableTask", "MinimalGreeting.workflow.cs");

    [SkippableFact]
    [Criterion("DX-01", Engine = "durabletask")]
    public async Task DX01_SdkDesign()
    {
        var fact = Begin();
        var name = $"Durable Task {Guid.NewGuid():N}"[..21];
        await InProcessHost.RunAsync(
            fact,
            [
                Core("minimal-sample-runs", "The counted sample runs as written: its registration and start (orchestrator scheduled by its class name) run the orchestration and return the greeting computed from the input"),
                Edge("invalid-definitions-rejected", "Every invalid registration (the same orchestrator name twice, an empty name) is rejected when registered, with a message naming the name or the rule"),
            ],
            DurableGreeting.Register,
            async (block, checks) =>
            {
                var result = await DurableGreeting.RunOnceAsync(block.Client, name, block.Cancellation);
                checks.Expect("minimal-sample-runs", result == $"Hello, {name}!", $"result \"{result}\" for input \"{name}\"");

                var observed = new (string Shape, string Expect, string? Message)[]
                {
                    ("the same orchestrator name twice", nameof(GreetingOrchestrator), RegistrationError(() => new DurableTaskRegistry().AddOrchestrator<GreetingOrchestrator>().AddOrchestrator<GreetingOrchestrator>())),
                    ("an empty orchestrator name", "name", RegistrationError(() => new DurableTaskRegistry().AddOrchestrator(string.Empty, () => new GreetingOrchestrator()))),
                };
                checks.Expect(
                    "invalid-definitions-rejected",
                    observed.All(o => o.Message is { } m && m.Contains(o.Expect, StringComparison.OrdinalIgnoreCase)),
                    string.Join("; ", observed.Select(o => $"{o.Shape}: {(o.Message is null ? "accepted" : $"\"{DurableEval.Tests.Servers.ServerFixture.OneLine(o.Message)}\"")}")));
            });

        MinimalSample.Measure(fact, DurableMinimalSamplePath, "an orchestrator, an activity, their registration and a start that waits for the result", "It holds no host wiring (AddDurableTaskWorker/AddDurableTaskClient with a backend): the in-process test host supplies worker and client here.");

        fact.Cite("Orchestrators and activities are classes deriving from TaskOrchestrator<TInput, TOutput> and TaskActivity<TInput, TOutput>, registered with AddTasks and scheduled by name.", "https://github.com/microsoft/durabletask-dotnet");
        fact.Conclude();
    }

    private static string? RegistrationError(Action register)
    {
        try
        {
            register();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}
