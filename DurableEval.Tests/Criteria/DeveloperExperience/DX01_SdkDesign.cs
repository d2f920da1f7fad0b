using System.Globalization;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Activities;
using Temporalio.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    /// <summary>The minimal sample DX-01 counts, kept in the repository so the count follows the code.</summary>
    internal static string MinimalSamplePath => Path.Combine(Settings.RepositoryRoot, "DurableEval.Workflows", "DeveloperExperience", "MinimalGreeting.workflow.cs");

    [SkippableFact]
    [Criterion("DX-01")]
    public async Task DX01_SdkDesign()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("attribute-definitions", "[Workflow]/[WorkflowRun] and [Activity] alone define the workflow and activity (names derived, async run method)"),
                Edge("invalid-definitions-rejected", "Every invalid workflow shape is rejected when defined, with a message naming the class or method and the rule"),
            ],
            checks =>
            {
                var workflow = WorkflowDefinition.Create(typeof(GreetingWorkflow));
                var activity = ActivityDefinition.CreateAll(new GreetingActivities()).Single();
                checks.Expect(
                    "attribute-definitions",
                    workflow.Name == nameof(GreetingWorkflow) && workflow.RunMethod.ReturnType == typeof(Task<string>) && activity.Name == "ComposeGreeting",
                    $"workflow \"{workflow.Name}\" run method {workflow.RunMethod.Name} returning {workflow.RunMethod.ReturnType.Name}; activity \"{activity.Name}\"");

                MinimalSample.Measure(fact, MinimalSamplePath, "a workflow, an activity and a worker that runs them");

                var observed = InvalidShapes().Select(s => (s.Type, s.Expect, Message: RegistrationError(() => WorkflowDefinition.Create(s.Type)))).ToList();
                checks.Expect(
                    "invalid-definitions-rejected",
                    observed.All(o => o.Message is { } m && m.Contains(o.Expect, StringComparison.OrdinalIgnoreCase)),
                    string.Join("; ", observed.Select(o => $"{o.Type.Name}: {(o.Message is null ? "accepted" : $"\"{Shorten(o.Message)}\"")}")));
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [Core("minimal-sample-runs", "The counted sample runs as written: its worker executes the workflow through a typed start expression and returns the greeting")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("minimal");
                var result = await GreetingWorker.RunOnceAsync(server.Client, server.Options("minimal", queue), "Temporal");
                checks.Expect("minimal-sample-runs", result == "Hello, Temporal!", $"result \"{result}\"");
            });

        fact.Cite("Workflows and activities are plain classes marked with [Workflow], [WorkflowRun] and [Activity]; clients start them with typed lambda expressions.", "https://docs.temporal.io/develop/dotnet/core-application");
        fact.Conclude();
    }
}
