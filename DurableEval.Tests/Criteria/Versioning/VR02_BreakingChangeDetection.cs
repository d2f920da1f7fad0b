using System.Diagnostics;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Shared;
using DurableEval.Workflows.Versioning;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class VersioningFacts
{
    private const string GateFolder = "ReplayGate";

    // The code deployed today: every workflow type whose histories the gate's corpus holds.
    private static readonly Type[] CompatibleCode = [typeof(InvoiceApprovalWorkflow), typeof(OrderFulfilmentPatched)];

    /// <summary>
    /// The change catalogue: each entry replaces one workflow type's code and says, from the history alone, which
    /// event a history of that type would first disagree with (null: the history is not affected). Command changes
    /// alter what the workflow asks the server to do; value changes alter only a duration or an argument.
    /// </summary>
    private static readonly CodeChange[] ChangeCatalogue =
    [
        new("changed-command-type", "the cooling-off timer became an activity", typeof(InvoiceTimerBecameActivity), Command: true,
            h => First(h, EventType.TimerStarted)),
        new("added-command", "an archive activity added after sending", typeof(InvoiceArchiveAdded), Command: true,
            h => First(h, EventType.WorkflowExecutionCompleted)),
        new("removed-command", "escalation of large invoices removed", typeof(InvoiceEscalationRemoved), Command: true,
            h => ReplayGate.FirstScheduled(h, nameof(InvoiceActivities.Escalate))),
        new("renamed-activity", "activity Send renamed to Dispatch", typeof(InvoiceSendRenamed), Command: true,
            h => ReplayGate.FirstScheduled(h, nameof(InvoiceActivities.Send))),
        new("removed-patch", "the notify-by-sms patch call removed while patched runs exist", typeof(OrderFulfilmentPatchRemoved), Command: true,
            h => ReplayGate.PatchMarker(h, OrderFulfilmentBase.PatchId)),
        new("timer-duration", "cooling-off timer shortened from 1 h to 5 min", typeof(InvoiceCoolingOffShortened), Command: false,
            h => First(h, EventType.TimerStarted)),
        new("activity-argument", "Send called with a prefixed reference instead of the invoice id", typeof(InvoiceSendArgumentChanged), Command: false,
            h => ReplayGate.FirstScheduled(h, nameof(InvoiceActivities.Send))),
    ];

    [SkippableFact]
    [Criterion("VR-02")]
    public async Task VR02_BreakingChangeDetection()
    {
        var fact = Begin();
        var commandChanges = ChangeCatalogue.Where(c => c.Command).ToList();
        IReadOnlyDictionary<string, string>? committedOutcomes = null;
        await fact.OfflineAsync(
            [
                Core("compatible-code-passes", "Every history in the gate's corpus replays against the code deployed today"),
                .. commandChanges.Select(c => Core(c.Id, $"Gate catches '{c.Description}': exactly the affected history files fail, each naming the first event the new code cannot follow")),
            ],
            async checks =>
            {
                var corpus = ReplayGate.LoadFolder(GateFolder);
                if (corpus.Count == 0)
                {
                    var missing = $"no histories in {Path.Combine(Settings.HistoriesDirectory, GateFolder)}; record them with {Settings.RecordHistoriesVariable}=1 and a server";
                    checks.NotRun("compatible-code-passes", missing);
                    commandChanges.ForEach(c => checks.NotRun(c.Id, missing));
                    return;
                }

                var clock = Stopwatch.StartNew();
                var outcome = await RunCatalogueAsync(corpus, checks.Cancellation);
                fact.Metric("gate_runs", ChangeCatalogue.Length + 1, "corpus replays");
                fact.Metric("gate_ms", clock.Elapsed.TotalMilliseconds, "ms");
                fact.Metric("gate_corpus_histories", corpus.Count, "histories");
                committedOutcomes = outcome.Summary;

                var compatibleFailures = outcome.Compatible.Where(v => v.Breaks).ToList();
                checks.Expect(
                    "compatible-code-passes",
                    compatibleFailures.Count == 0,
                    compatibleFailures.Count == 0 ? $"{corpus.Count} histories replayed ({string.Join(", ", corpus.Select(c => c.Name + ".json"))})" : string.Join("; ", compatibleFailures));

                foreach (var change in commandChanges)
                {
                    var judged = outcome.Judgements[change.Id];
                    checks.Expect(change.Id, judged.Caught, judged.Evidence);
                }

                var detected = commandChanges.Count(c => outcome.Judgements[c.Id].Caught);
                fact.Metric("breaking_change_detection_rate", 100.0 * detected / commandChanges.Count, "% of command changes");
                var valueChanges = ChangeCatalogue.Where(c => !c.Command).ToList();
                fact.Metric("value_change_detection_rate", 100.0 * valueChanges.Count(c => outcome.Judgements[c.Id].Detected) / valueChanges.Count, "% of value changes");
                foreach (var change in valueChanges)
                {
                    var judged = outcome.Judgements[change.Id];
                    fact.Finding(judged.Detected
                        ? $"Replay caught the value change '{change.Description}': {judged.Evidence}."
                        : $"Replay does not catch '{change.Description}': {judged.Evidence}. A replay gate cannot guard this change; review or a patch must.");
                }
            });

        await fact.LiveAsync(
            ServerNeed.TimeSkipping,
            [Production("corpus-current", "Histories recorded now from the same inputs give the gate the same verdicts as the committed corpus (the corpus is not stale)")],
            async (server, checks) =>
            {
                var queue = server.NewTaskQueue("gate");
                await using var worker = RunningWorker.Start(server.Client, new TemporalWorkerOptions(queue)
                    .AddWorkflow<InvoiceApprovalWorkflow>()
                    .AddWorkflow<OrderFulfilmentPatched>()
                    .AddActivity(InvoiceActivities.Draft)
                    .AddActivity(InvoiceActivities.Escalate)
                    .AddActivity(InvoiceActivities.Send)
                    .AddAllActivities(new FulfilmentActivities(new InvocationCounter())));

                var corpus = new List<(string Name, WorkflowHistory History)>();
                foreach (var (name, invoice) in new[] { ("standard", new Invoice("inv-100", 250m)), ("escalated", new Invoice("inv-200", 5000m)) })
                {
                    // The run holds a one-hour timer (skipped), so it needs more than the default one-hour execution timeout.
                    var handle = await server.Client.StartWorkflowAsync((InvoiceApprovalWorkflow w) => w.RunAsync(invoice), server.Options(name, queue, TimeSpan.FromDays(1)));
                    await handle.GetResultAsync();
                    corpus.Add(($"{InvoiceApprovalWorkflow.TypeName}-{name}", await handle.FetchHistoryAsync()));
                }

                var order = await server.Client.StartWorkflowAsync((OrderFulfilmentPatched w) => w.RunAsync("order-300"), server.Options("order", queue));
                await Eventually.HoldsAsync(async () => (await order.QueryAsync(w => w.Stage)).StartsWith("notified:", StringComparison.Ordinal), Observe.Bound, checks.Cancellation);
                await order.SignalAsync(w => w.ShipAsync());
                await order.GetResultAsync();
                corpus.Add(($"{OrderFulfilmentBase.TypeName}-patched", await order.FetchHistoryAsync()));

                var fresh = (await RunCatalogueAsync(corpus, checks.Cancellation)).Summary;
                if (committedOutcomes is null)
                {
                    checks.NotRun("corpus-current", "no committed corpus to compare with (the offline block found none)");
                }
                else
                {
                    var differing = fresh.Where(f => committedOutcomes.GetValueOrDefault(f.Key) != f.Value).Select(f => $"{f.Key}: committed {committedOutcomes.GetValueOrDefault(f.Key) ?? "none"}, fresh {f.Value}").ToList();
                    checks.Expect("corpus-current", differing.Count == 0, differing.Count == 0 ? $"{fresh.Count} verdicts identical on freshly recorded histories" : string.Join("; ", differing));
                }

                foreach (var (name, history) in corpus)
                {
                    HistoryFixtures.SaveIfRecording(Settings.Current, $"{GateFolder}/{name}", history);
                }
            });

        fact.Cite(
            "WorkflowReplayer replays recorded histories against current workflow code and raises a nondeterminism error when the code would issue different commands; it is meant to run in CI over histories fetched from production.",
            "https://docs.temporal.io/develop/dotnet/testing-suite#replay");
        fact.Conclude();
    }

    private static HistoryEvent? First(WorkflowHistory history, EventType type) => history.Events.FirstOrDefault(e => e.EventType == type);

    /// <summary>The gate run against the compatible code and against each change of the catalogue.</summary>
    private static async Task<GateOutcome> RunCatalogueAsync(IReadOnlyList<(string Name, WorkflowHistory History)> corpus, CancellationToken cancellation)
    {
        var compatible = await ReplayGate.RunAsync(corpus, o => Register(o, CompatibleCode), cancellation);
        var judgements = new Dictionary<string, ChangeJudgement>(StringComparer.Ordinal);
        foreach (var change in ChangeCatalogue)
        {
            var changedType = WorkflowDefinition.Create(change.Workflow).Name;
            var code = CompatibleCode.Where(t => WorkflowDefinition.Create(t).Name != changedType).Append(change.Workflow).ToArray();
            var verdicts = await ReplayGate.RunAsync(corpus, o => Register(o, code), cancellation);
            var expected = corpus
                .Where(c => ReplayGate.WorkflowTypeOf(c.History) == changedType)
                .Select(c => (c.Name, Event: change.BreaksAt(c.History)))
                .Where(x => x.Event is not null)
                .ToDictionary(x => x.Name, x => x.Event!, StringComparer.Ordinal);
            judgements[change.Id] = ChangeJudgement.Of(expected, verdicts);
        }

        return new(compatible, judgements);
    }

    private static void Register(WorkflowReplayerOptions options, IEnumerable<Type> workflows)
    {
        foreach (var workflow in workflows)
        {
            options.AddWorkflow(workflow);
        }
    }

    private sealed record CodeChange(string Id, string Description, Type Workflow, bool Command, Func<WorkflowHistory, HistoryEvent?> BreaksAt);

    private sealed record GateOutcome(IReadOnlyList<GateVerdict> Compatible, IReadOnlyDictionary<string, ChangeJudgement> Judgements)
    {
        /// <summary>Change id / file → verdict, for comparing two corpora (event types, not ids, which a re-record may shift).</summary>
        public IReadOnlyDictionary<string, string> Summary => Judgements
            .SelectMany(j => j.Value.Verdicts.Select(v => ($"{j.Key}/{v.File}", v.Breaks ? "breaks at " + (v.BreakingEvent?.EventType.ToString() ?? "unnamed") : "replays")))
            .Concat(Compatible.Select(v => ($"compatible/{v.File}", v.Breaks ? "breaks" : "replays")))
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
    }
}

/// <summary>
/// How the gate did on one change: it is caught when the files that fail are exactly the affected ones, each
/// with a nondeterminism failure naming the expected event; detected when any affected file failed at all.
/// </summary>
public sealed record ChangeJudgement(bool Caught, bool Detected, string Evidence, IReadOnlyList<GateVerdict> Verdicts)
{
    public static ChangeJudgement Of(IReadOnlyDictionary<string, HistoryEvent> expected, IReadOnlyList<GateVerdict> verdicts)
    {
        var failing = verdicts.Where(v => v.Breaks).ToList();
        var sameFiles = failing.Select(v => v.File).Order(StringComparer.Ordinal).SequenceEqual(expected.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        var rightEvents = failing.All(v => v.Failure is WorkflowNondeterminismException
            && expected.TryGetValue(v.File, out var e) && v.BreakingEvent?.EventId == e.EventId);
        var detected = failing.Any(v => expected.ContainsKey(v.File));
        var expectedText = expected.Count == 0
            ? "no history affected"
            : "expected " + string.Join(", ", expected.Select(e => $"{e.Key}.json at {ReplayGate.Describe(e.Value)}"));
        var observedText = failing.Count == 0
            ? $"all {verdicts.Count} histories replayed cleanly"
            : string.Join("; ", failing.Select(v => v.File + ".json" + v.ToString()[v.File.Length..]));
        return new(expected.Count > 0 && sameFiles && rightEvents, detected, $"{expectedText}; observed {observedText}", verdicts);
    }
}
