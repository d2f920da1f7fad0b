using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.DeveloperExperience;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class DeveloperExperienceFacts
{
    [SkippableFact]
    [Criterion("DX-05")]
    public async Task DX05_ErrorMessages()
    {
        const string Sku = "sku-42";
        var fact = Begin();
        await fact.OfflineAsync(
            [Core("invalid-definition-actionable", "Each invalid workflow shape is rejected at registration with a message naming the class or the offending method, and the rule broken")],
            checks =>
            {
                var shapes = InvalidShapes();
                var observed = shapes.Select(s => (s.Type, s.Expect, Message: RegistrationError(() => WorkflowDefinition.Create(s.Type)))).ToList();
                foreach (var (type, _, message) in observed)
                {
                    fact.Finding($"Registering {type.Name}: \"{message ?? "accepted"}\"");
                }

                checks.Expect(
                    "invalid-definition-actionable",
                    observed.All(o => o.Message is { } m && NamesTheCulprit(o.Type, m) && m.Contains(o.Expect, StringComparison.OrdinalIgnoreCase)),
                    string.Join("; ", observed.Select(o => $"{o.Type.Name}: {(o.Message is null ? "accepted" : $"\"{Shorten(o.Message)}\"")}")));
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("chain-names-activity", "The caller's exception chain is WorkflowFailedException > ActivityFailureException naming the activity type and id"),
                Core("chain-keeps-original", "The innermost ApplicationFailureException keeps the original .NET type name and message"),
                Core("chain-has-remote-stack", "The failure carries the activity's remote stack trace, naming the throwing method"),
                Edge("chain-names-workflow", "The exception chain itself names the failed workflow (id or type), so a log of the exception alone says which run failed"),
                Edge("worker-rejects-invalid", "Building a worker with an invalid workflow fails before polling, with a message naming the class"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("errors");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<FailingActivityWorkflow>()
                    .AddActivity(InventoryActivities.ReserveAsync));
                var options = server.Options("fails", queue);
                var failure = await Observe.FailureOfAsync(() => server.Client.ExecuteWorkflowAsync((FailingActivityWorkflow w) => w.RunAsync(Sku), options));
                var chain = Observe.Chain(failure).ToList();
                var activity = chain.OfType<ActivityFailureException>().FirstOrDefault();
                var original = chain.OfType<ApplicationFailureException>().LastOrDefault();
                fact.Finding($"The caller saw: {Observe.DescribeChain(failure)}");
                checks.Expect(
                    "chain-names-activity",
                    failure is WorkflowFailedException && activity is { ActivityType: "Reserve", ActivityId.Length: > 0 },
                    $"{Observe.DescribeChain(failure)}; activity type \"{activity?.ActivityType}\", id \"{activity?.ActivityId}\"");
                checks.Expect(
                    "chain-keeps-original",
                    original is { ErrorType: nameof(InvalidOperationException) } && original.Message == $"inventory for {Sku} is negative",
                    $"error type \"{original?.ErrorType}\", message \"{original?.Message}\"");
                var stack = original?.Failure?.StackTrace ?? string.Empty;
                checks.Expect(
                    "chain-has-remote-stack",
                    stack.Contains(nameof(InventoryActivities.ReserveAsync), StringComparison.Ordinal),
                    stack.Length == 0 ? "no remote stack trace" : $"remote stack starts \"{Shorten(stack.ReplaceLineEndings(" | "))}\"");
                var namesWorkflow = chain.Any(e => e.Message.Contains(options.Id!, StringComparison.Ordinal) || e.Message.Contains(nameof(FailingActivityWorkflow), StringComparison.Ordinal));
                checks.Expect(
                    "chain-names-workflow",
                    namesWorkflow,
                    namesWorkflow
                        ? "a message in the chain names the workflow"
                        : $"no message in the chain names workflow {options.Id} or type {nameof(FailingActivityWorkflow)} (messages: {string.Join(" | ", chain.Select(e => $"\"{e.Message}\""))}); only the handle the caller holds identifies the run");

                var invalid = RegistrationError(() => new TemporalWorker(server.Client, new TemporalWorkerOptions(server.NewTaskQueue("invalid")).AddWorkflow<NoRunMethodWorkflow>()).Dispose());
                checks.Expect(
                    "worker-rejects-invalid",
                    invalid is { } m && m.Contains(nameof(NoRunMethodWorkflow), StringComparison.Ordinal),
                    invalid is null ? "worker built with an invalid workflow" : $"\"{Shorten(invalid)}\"");
            });

        fact.Cite("Activity failures reach the workflow and its caller as ActivityFailureException wrapping ApplicationFailureException, whose ErrorType is the original exception's type name.", "https://docs.temporal.io/develop/dotnet/failure-detection");
        fact.Conclude();
    }

    /// <summary>Each invalid shape and a word its rejection must contain to be actionable.</summary>
    private static IReadOnlyList<(Type Type, string Expect)> InvalidShapes() =>
    [
        (typeof(NoRunMethodWorkflow), "WorkflowRun"),
        (typeof(TwoRunMethodsWorkflow), "WorkflowRun"),
        (typeof(SignalReturnsValueWorkflow), "Task"),
        (typeof(QueryReturnsTaskWorkflow), "Task"),
        (typeof(MissingAttributeWorkflow), "Workflow attribute"),
    ];

    /// <summary>The message of what a registration throws, unwrapping the AggregateException the SDK collects errors in.</summary>
    private static string? RegistrationError(Action register)
    {
        try
        {
            register();
            return null;
        }
        catch (AggregateException e)
        {
            return string.Join(" / ", e.Flatten().InnerExceptions.Select(x => x.Message));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return e.InnerException is AggregateException inner
                ? $"{e.Message} / {string.Join(" / ", inner.Flatten().InnerExceptions.Select(x => x.Message))}"
                : e.Message;
        }
    }

    /// <summary>A message is actionable when it points at the code: the class, or one of its own methods.</summary>
    private static bool NamesTheCulprit(Type type, string message) =>
        message.Contains(type.Name, StringComparison.Ordinal)
        || type.GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly)
            .Any(m => message.Contains(m.Name + "(", StringComparison.Ordinal));

    private static string Shorten(string text) => text.Length <= 240 ? text : text[..237] + "...";
}
