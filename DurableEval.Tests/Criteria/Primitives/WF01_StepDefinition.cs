using System.Globalization;
using System.Reflection;
using System.Text;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class WorkflowPrimitivesFacts
{
    [SkippableFact]
    [Criterion("WF-01")]
    public async Task WF01_StepDefinition()
    {
        const string Input = "  World ";
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Edge("static-definition-read", "ActivityDefinition.Create on the static activity reads its name, parameter and return types from the method"),
                Edge("instance-definitions-read", "ActivityDefinition.CreateAll on an instance finds every [Activity] method of its class"),
                Edge("missing-attribute-rejected", "A lambda without [Activity] is rejected with a message naming the missing attribute"),
            ],
            checks =>
            {
                var definition = ActivityDefinition.Create(StaticSteps.Normalize);
                checks.Expect(
                    "static-definition-read",
                    definition.Name == nameof(StaticSteps.Normalize) && definition.ParameterTypes.SequenceEqual([typeof(string)]) && definition.ReturnType == typeof(string),
                    $"name {definition.Name}, parameters ({string.Join(", ", definition.ParameterTypes.Select(t => t.Name))}), returns {definition.ReturnType.Name}");

                var all = ActivityDefinition.CreateAll(new ServiceSteps(new GreetingService("offline"))).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
                checks.Expect(
                    "instance-definitions-read",
                    all.SequenceEqual([nameof(ServiceSteps.Greet), nameof(ServiceSteps.Measure)]),
                    $"definitions found on the instance: {string.Join(", ", all)}");

                var rejected = Capture(() => ActivityDefinition.Create((string text) => text.Length));
                checks.Expect(
                    "missing-attribute-rejected",
                    rejected is ArgumentException && rejected.Message.Contains("missing Activity attribute", StringComparison.Ordinal),
                    rejected is null ? "accepted without the attribute" : $"{rejected.GetType().Name}: {rejected.Message}");
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("static-activity-recorded", "A static-method activity runs and is recorded as ActivityTaskScheduled, Started and Completed"),
                Core("injected-activity-recorded", "An instance-method activity runs through the service injected into its class (the fact's service saw the call) and is recorded the same way"),
                Core("local-activity-marker", "A local activity runs and is recorded as one MarkerRecorded event (core_local_activity) whose details carry the activity's result (the greeting's length, computed from the input), with no activity task events"),
            ],
            async (server, checks) =>
            {
                var salutation = $"Ahoy-{Guid.NewGuid():N}"[..12];
                var service = new GreetingService(salutation);
                var queue = server.NewTaskQueue("steps");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<EveryActivityKindRunsWorkflow>()
                    .AddActivity(StaticSteps.Normalize)
                    .AddAllActivities(new ServiceSteps(service)));

                var handle = await server.Client.StartWorkflowAsync((EveryActivityKindRunsWorkflow w) => w.RunAsync(Input), server.Options("steps", queue));
                var result = await handle.GetResultAsync();
                var history = await handle.FetchHistoryAsync();
                var calls = service.Calls;

                var normalize = ActivityEvents.Lifecycle(history, nameof(StaticSteps.Normalize));
                checks.Expect(
                    "static-activity-recorded",
                    result.Normalized == StaticSteps.Normalize(Input) && normalize is { Scheduled: 1, Started: 1, Completed: 1 },
                    $"returned \"{result.Normalized}\"; {normalize}");

                var greet = ActivityEvents.Lifecycle(history, nameof(ServiceSteps.Greet));
                checks.Expect(
                    "injected-activity-recorded",
                    result.Greeting == $"{salutation}, {result.Normalized}" && calls.Count(c => c == nameof(GreetingService.Greet)) == 1 && greet is { Scheduled: 1, Started: 1, Completed: 1 },
                    $"returned \"{result.Greeting}\"; injected service saw [{string.Join(", ", calls)}]; {greet}");

                // The marker is what a replay reads instead of running the local activity again: its details must
                // carry the result, or a later replay of this run diverges. The expected value comes from the inputs.
                var expectedLength = $"{salutation}, {StaticSteps.Normalize(Input)}".Length;
                var markers = MarkerContents.Markers(history, MarkerContents.LocalActivityMarker);
                var markerData = markers.Select(m => m.MarkerRecordedEventAttributes.Details.TryGetValue("data", out var data) ? Utf8(data) : string.Empty).ToList();
                var markerResults = markers.Select(m => MarkerContents.HasLocalActivityResult(m) ? MarkerContents.LocalActivityResult<int>(m).ToString(CultureInfo.InvariantCulture) : "none").ToList();
                var measure = ActivityEvents.Lifecycle(history, nameof(ServiceSteps.Measure));
                checks.Expect(
                    "local-activity-marker",
                    result.Length == expectedLength && calls.Count(c => c == nameof(GreetingService.Measure)) == 1
                        && markers.Count == 1 && markerData[0].Contains(nameof(ServiceSteps.Measure), StringComparison.Ordinal)
                        && MarkerContents.HasLocalActivityResult(markers[0]) && MarkerContents.LocalActivityResult<int>(markers[0]) == expectedLength
                        && measure.Scheduled == 0,
                    $"returned {result.Length} (expected {expectedLength}); {markers.Count} core_local_activity marker(s) naming {(markerData.Any(d => d.Contains(nameof(ServiceSteps.Measure), StringComparison.Ordinal)) ? "Measure" : "no Measure")}, "
                        + $"detail keys [{string.Join("; ", markers.Select(MarkerContents.DetailKeys))}], recorded result [{string.Join(", ", markerResults)}]; {measure}");
            });
        fact.Conclude();
    }
}
