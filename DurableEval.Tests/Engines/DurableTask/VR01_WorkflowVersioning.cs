using System.Text.Json;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;
using NonDeterministic = DurableTask.Core.Exceptions.NonDeterministicOrchestrationException;
using P = Microsoft.DurableTask.Protobuf;

namespace DurableEval.Tests.DurableTaskEngine;

public sealed partial class InProcessFacts
{
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(2);

    [SkippableFact]
    [Criterion("VR-01", Engine = "durabletask")]
    public async Task VR01_WorkflowVersioning()
    {
        var fact = Begin();
        await InProcessHost.RunAsync(
            fact,
            [
                Core("in-flight-run-keeps-old-branch", "A run started as version 1.0 and resumed (by its event) on code that branches on CompareVersionTo(\"2.0\") completes on the old e-mail branch: e-mail sent once, no SMS"),
                Core("new-run-takes-new-path", "A run started as version 2.0 on the same code takes the SMS branch: SMS sent once, no e-mail, and the orchestration sees its own version"),
            ],
            RegisterNotify,
            async (block, checks) =>
            {
                var (oldRun, oldDone) = await RunNotifyAsync(block, "1.0", "ann");
                checks.Expect(
                    "in-flight-run-keeps-old-branch",
                    oldDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && oldDone.ReadOutputAs<string>() == "1.0:email:ann"
                        && block.Log.Count(oldRun, nameof(SendEmailActivity)) == 1 && block.Log.Count(oldRun, nameof(SendSmsActivity)) == 0,
                    $"status {oldDone.RuntimeStatus}, output {oldDone.SerializedOutput}; e-mail sent {block.Log.Count(oldRun, nameof(SendEmailActivity))} time(s), SMS {block.Log.Count(oldRun, nameof(SendSmsActivity))}");

                var (newRun, newDone) = await RunNotifyAsync(block, "2.0", "bob");
                checks.Expect(
                    "new-run-takes-new-path",
                    newDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && newDone.ReadOutputAs<string>() == "2.0:sms:bob"
                        && block.Log.Count(newRun, nameof(SendSmsActivity)) == 1 && block.Log.Count(newRun, nameof(SendEmailActivity)) == 0,
                    $"status {newDone.RuntimeStatus}, output {newDone.SerializedOutput}; SMS sent {block.Log.Count(newRun, nameof(SendSmsActivity))} time(s), e-mail {block.Log.Count(newRun, nameof(SendEmailActivity))}");
            });

        await fact.OfflineAsync(
            [
                Core("patched-code-replays-old-and-new", "The version-branching code replays a history recorded by the 1.0 code (before the change) and one it recorded itself as 2.0 (replayed with GrpcOrchestrationRunner, the SDK's executor)"),
                Core("unpatched-change-caught", "The same change without a version check fails replay of the 1.0 history with NonDeterministicOrchestrationException naming SendEmailActivity"),
                Edge("rollback-caught", "Rolling back to the 1.0 code is caught on the 2.0 history that took the SMS branch (NonDeterministicOrchestrationException naming SendSmsActivity)"),
            ],
            checks =>
            {
                var v1History = RecordNotify(new EmailOnlyNotifyOrchestrator(), "1.0", "ann");
                var v2History = RecordNotify(new VersionedNotifyOrchestrator(), "2.0", "bob");
                var replayOld = OfflineHistory.Replay(new VersionedNotifyOrchestrator(), v1History);
                var replayNew = OfflineHistory.Replay(new VersionedNotifyOrchestrator(), v2History);
                checks.Expect(
                    "patched-code-replays-old-and-new",
                    MatchesRecording(v1History, replayOld) && MatchesRecording(v2History, replayNew)
                        && OfflineHistory.ScheduledNames(v1History).SequenceEqual([nameof(SendEmailActivity)])
                        && OfflineHistory.ScheduledNames(v2History).SequenceEqual([nameof(SendSmsActivity)]),
                    $"1.0 history [{string.Join(", ", OfflineHistory.ScheduledNames(v1History))}]: {replayOld.Describe()}; 2.0 history [{string.Join(", ", OfflineHistory.ScheduledNames(v2History))}]: {replayNew.Describe()}");

                var unversioned = OfflineHistory.Replay(new UnversionedNotifyOrchestrator(), v1History);
                checks.Expect("unpatched-change-caught", NamesNonDeterminism(unversioned, nameof(SendEmailActivity)), $"1.0 history under the unversioned change: {unversioned.Describe()}");

                var rollback = OfflineHistory.Replay(new EmailOnlyNotifyOrchestrator(), v2History);
                checks.Expect("rollback-caught", NamesNonDeterminism(rollback, nameof(SendSmsActivity)), $"2.0 history under the 1.0 code: {rollback.Describe()}");
                return Task.CompletedTask;
            });

        await InProcessHost.RunAsync(
            fact,
            [
                Production("newer-version-refused", "A worker at version 1.0 with match strategy CurrentOrOlder and failure strategy Fail fails a run started as 2.0 without running any step, and still runs a 1.0 run to completion"),
            ],
            RegisterNotify,
            async (block, checks) =>
            {
                var newer = await block.StartAsync("VR-01", nameof(VersionedNotifyOrchestrator), "x", new StartOrchestrationOptions(InProcessBlock.NewId("VR-01")) { Version = "2.0" });
                // A refusal happens at the run's first dispatch (milliseconds); a run that is not refused waits for its
                // event, so the wait is bounded short and the state read as it stands.
                OrchestrationMetadata? refused;
                try
                {
                    refused = await block.CompletionAsync(newer, RefusalBound);
                }
                catch (OperationCanceledException) when (!block.Cancellation.IsCancellationRequested)
                {
                    refused = await block.Client.GetInstanceAsync(newer, getInputsAndOutputs: true, block.Cancellation);
                }

                var (current, currentDone) = await RunNotifyAsync(block, "1.0", "cy");
                checks.Expect(
                    "newer-version-refused",
                    refused?.RuntimeStatus == OrchestrationRuntimeStatus.Failed && block.Log.For(newer).Count == 0
                        && currentDone.RuntimeStatus == OrchestrationRuntimeStatus.Completed && block.Log.Count(current, nameof(SendEmailActivity)) == 1,
                    $"2.0 run {refused?.RuntimeStatus} within {RefusalBound.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s (real time) ({refused?.FailureDetails?.ErrorType}: {refused?.FailureDetails?.ErrorMessage}), {block.Log.For(newer).Count} step(s) ran; 1.0 run {currentDone.RuntimeStatus}, output {currentDone.SerializedOutput}");
            },
            services => services.ConfigureAll<DurableTaskWorkerOptions>(o => o.Versioning = new DurableTaskWorkerOptions.VersioningOptions
            {
                Version = "1.0",
                MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
                FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Fail,
            }));
        fact.Conclude();
    }

    private static void RegisterNotify(DurableTaskRegistry tasks)
    {
        tasks.AddOrchestrator<VersionedNotifyOrchestrator>();
        tasks.AddActivity<SendEmailActivity>();
        tasks.AddActivity<SendSmsActivity>();
    }

    /// <summary>Starts the notification as <paramref name="version"/>, lets it start waiting, releases it with <paramref name="who"/> and waits for its end.</summary>
    private static async Task<(string Id, OrchestrationMetadata Done)> RunNotifyAsync(InProcessBlock block, string version, string who)
    {
        var id = await block.StartAsync("VR-01", nameof(VersionedNotifyOrchestrator), "x", new StartOrchestrationOptions(InProcessBlock.NewId("VR-01")) { Version = version });
        await block.StartedAsync(id);
        await block.Client.RaiseEventAsync(id, VersionedNotifyOrchestrator.Go, who, block.Cancellation);
        return (id, await block.CompletionAsync(id));
    }

    private static IReadOnlyList<P.HistoryEvent> RecordNotify(ITaskOrchestrator code, string version, string who) =>
        OfflineHistory.Record(code, nameof(VersionedNotifyOrchestrator), version, JsonSerializer.Serialize("x"),
            (name, input) => JsonSerializer.Serialize($"{(name == nameof(SendSmsActivity) ? "sms" : "email")}:{ActivityInput(input)}"),
            [(VersionedNotifyOrchestrator.Go, JsonSerializer.Serialize(who))]);

    private static bool NamesNonDeterminism(ReplayOutcome replay, string recordedStep) =>
        replay.FailureType == typeof(NonDeterministic).FullName && replay.FailureMessage?.Contains($"'{recordedStep}'", StringComparison.Ordinal) == true;
}
