using System.Text.Json;
using System.Text.Json.Serialization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Worker;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class VersioningFacts
{
    private static readonly EnrolmentV1 OldEnrolment = new("student-17", "distributed-systems", "LEGACY-9");

    [SkippableFact]
    [Criterion("VR-04")]
    public async Task VR04_SchemaEvolution()
    {
        var fact = Begin();
        var defaults = new EnrolmentV2(OldEnrolment.StudentId, OldEnrolment.Course);
        await fact.OfflineAsync(
            [
                Core("added-field-defaulted", "A v1 payload decodes into the v2 type with the added optional members at their declared defaults"),
                Core("removed-field-ignored", "A v1 payload carrying a member v2 removed decodes without error, the member ignored"),
                Core("custom-converter-plugs-in", "A custom payload converter in a DataConverter writes its own encoding and metadata and reads them back"),
                Edge("strict-options-reject-rename", "With UnmappedMemberHandling.Disallow and required constructor parameters, a renamed member fails decoding instead of being lost"),
            ],
            checks =>
            {
                var converter = DataConverter.Default.PayloadConverter;
                var payload = converter.ToPayload(OldEnrolment);
                var json = payload.Data.ToStringUtf8();
                var decoded = Decode<EnrolmentV2>(converter, payload);
                checks.Expect(
                    "added-field-defaulted",
                    decoded.Value is { } v2 && v2.StudentId == defaults.StudentId && v2.Course == defaults.Course && v2.Note == defaults.Note && v2.Priority == defaults.Priority,
                    $"v1 JSON {json} decoded as {decoded.Value?.ToString() ?? decoded.Error}; declared defaults Note={defaults.Note ?? "null"}, Priority={defaults.Priority}");
                checks.Expect(
                    "removed-field-ignored",
                    json.Contains(nameof(EnrolmentV1.LegacyCode), StringComparison.Ordinal) && decoded.Error is null,
                    $"payload carries {nameof(EnrolmentV1.LegacyCode)}: {json.Contains(nameof(EnrolmentV1.LegacyCode), StringComparison.Ordinal)}; decoding into v2: {decoded.Error ?? "no error"}");

                var tagged = SchemaTaggedPayloadConverter.DataConverter.PayloadConverter;
                var taggedPayload = tagged.ToPayload(OldEnrolment);
                var encoding = taggedPayload.Metadata["encoding"].ToStringUtf8();
                var schema = taggedPayload.Metadata.TryGetValue("schema", out var s) ? s.ToStringUtf8() : "none";
                var roundTrip = Decode<EnrolmentV1>(tagged, taggedPayload);
                checks.Expect(
                    "custom-converter-plugs-in",
                    encoding == SchemaTaggedJsonConverter.EncodingName && schema == nameof(EnrolmentV1) && roundTrip.Value == OldEnrolment,
                    $"encoding {encoding}, schema {schema}; read back {roundTrip.Value?.ToString() ?? roundTrip.Error}");

                var lenient = Decode<EnrolmentRenamed>(converter, payload);
                var strictConverter = new DefaultPayloadConverter(new JsonSerializerOptions
                {
                    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
                    RespectRequiredConstructorParameters = true,
                });
                var strict = Decode<EnrolmentRenamed>(strictConverter, payload);
                checks.Expect(
                    "strict-options-reject-rename",
                    strict.Error is not null,
                    $"strict options: {strict.Error ?? "decoded " + strict.Value}");
                var lost = lenient.Value is { LearnerId: null };
                fact.Metric("renamed_member_lost_by_default", lost ? 1 : 0, "1 = silently lost");
                fact.Finding(lost
                    ? $"With the default JSON options a renamed member is silently lost: StudentId renamed to LearnerId decoded as {lenient.Value} with no error. Strict options ({strict.Error ?? "no error either"}) or a schema version in the payload are needed to notice."
                    : $"With the default JSON options the renamed member was not lost: {lenient.Value?.ToString() ?? lenient.Error}.");
                return Task.CompletedTask;
            });

        await fact.LiveAsync(
            ServerNeed.Any,
            [
                Core("upgraded-worker-reads-old-input", "A run started with v1 input and finished by a worker whose workflow takes the v2 type decodes the old payload (added members defaulted)"),
                Edge("custom-converter-live", "A client and worker built with the custom converter run a workflow; its input in history carries the custom encoding and schema"),
            ],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("schema");

                // No cache on the v1 worker: it is stopped mid-run and the v2 worker must replay from history.
                var v1 = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }.AddWorkflow<EnrolmentWorkflowV1>());
                var handle = await server.Client.StartWorkflowAsync((EnrolmentWorkflowV1 w) => w.RunAsync(OldEnrolment), server.Options("upgrade", queue));
                var waiting = await Eventually.HoldsAsync(async () => await handle.QueryAsync(w => w.Stage) == "waiting", Observe.Bound, checks.Cancellation);
                await v1.DisposeAsync();
                await using (RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue).AddWorkflow<EnrolmentWorkflowV2>()))
                {
                    await handle.SignalAsync(w => w.ConfirmAsync());
                    var outcome = await Observe.FailureOfAsync(() => handle.GetResultAsync());
                    var result = outcome is null ? await handle.GetResultAsync() : null;
                    var expected = EnrolmentWorkflowV2.Describe(defaults);
                    checks.Expect(
                        "upgraded-worker-reads-old-input",
                        waiting && result == expected,
                        $"waiting on v1 before the upgrade: {waiting}; v2 worker returned {result ?? Observe.DescribeChain(outcome)} (expected {expected})");
                }

                // The same connection with the custom converter: the worker built on this client uses it too.
                var taggedOptions = (TemporalClientOptions)server.Client.Options.Clone();
                taggedOptions.DataConverter = SchemaTaggedPayloadConverter.DataConverter;
                var taggedClient = new TemporalClient(server.Client.Connection, taggedOptions);
                var taggedQueue = server.NewTaskQueue("schema-tagged");
                await using var tagged = RunningWorker.Start(taggedClient, new TemporalWorkerOptions(taggedQueue).AddWorkflow<EnrolmentWorkflowV2>());
                var input = new EnrolmentV2("student-18", "compilers", "tagged", 2);
                var taggedRun = await taggedClient.StartWorkflowAsync((EnrolmentWorkflowV2 w) => w.RunAsync(input), server.Options("tagged", taggedQueue));
                await Eventually.HoldsAsync(async () => await taggedRun.QueryAsync(w => w.Stage) == "waiting", Observe.Bound, checks.Cancellation);
                await taggedRun.SignalAsync(w => w.ConfirmAsync());
                var taggedResult = await taggedRun.GetResultAsync();
                var started = HistoryProbe.FirstOf(await taggedRun.FetchHistoryAsync(), EventType.WorkflowExecutionStarted)!.WorkflowExecutionStartedEventAttributes.Input.Payloads_[0];
                var storedEncoding = started.Metadata["encoding"].ToStringUtf8();
                var storedSchema = started.Metadata.TryGetValue("schema", out var schemaBytes) ? schemaBytes.ToStringUtf8() : "none";
                checks.Expect(
                    "custom-converter-live",
                    storedEncoding == SchemaTaggedJsonConverter.EncodingName && storedSchema == nameof(EnrolmentV2) && taggedResult == EnrolmentWorkflowV2.Describe(input),
                    $"history input encoding {storedEncoding}, schema {storedSchema}; result {taggedResult}");
            });

        fact.Cite(
            "The default payload converter serializes with System.Text.Json; evolving a payload type is the user's concern (add optional fields, never rename), and a custom payload converter can be set on the client's DataConverter.",
            "https://docs.temporal.io/develop/dotnet/converters-and-encryption");
        fact.Conclude();
    }

    private static (T? Value, string? Error) Decode<T>(IPayloadConverter converter, Temporalio.Api.Common.V1.Payload payload)
    {
        try
        {
            return (converter.ToValue<T>(payload), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return (default, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
