using System.Globalization;
using DurableEval.Evaluation;
using DurableEval.Tests.Servers;
using Xunit;
using Xunit.Abstractions;

namespace DurableEval.Tests.Evidence;

/// <summary>
/// The fact-side recorder. A fact runs blocks of declared checks (offline, or on a server it names), adds
/// metrics, findings and citations, then concludes: the evidence goes to the store, the rubric rates it, and the
/// test passes, fails or skips to agree with that rating.
/// </summary>
public sealed class FactRecorder
{
    /// <summary>Upper bound for one block: facts finish in seconds; this only stops a hang from stalling the run.</summary>
    public static readonly TimeSpan BlockTimeout = TimeSpan.FromMinutes(2);

    private readonly CriterionDefinition criterion;
    private readonly Engine engine;
    private readonly string fact;
    private readonly ServerFixture servers;
    private readonly ITestOutputHelper output;
    private readonly Settings settings;
    private readonly List<CheckResult> checks = [];
    private readonly List<Metric> metrics = [];
    private readonly List<Citation> citations = [];
    private readonly List<string> findings = [];
    private ServerInfo? server;
    private string? configurationError;

    public FactRecorder(CriterionDefinition criterion, string fact, ServerFixture servers, ITestOutputHelper output, Settings settings, Engine? engine = null)
    {
        this.criterion = criterion;
        this.engine = engine ?? Engines.Temporal;
        this.fact = fact;
        this.servers = servers;
        this.output = output;
        this.settings = settings;
    }

    /// <summary>Checks that need no server: the replayer, ActivityEnvironment, converters, definitions.</summary>
    public Task OfflineAsync(IReadOnlyList<CheckSpec> specs, Func<CheckScope, Task> body) =>
        RunBlockAsync(specs, scope => body(scope));

    /// <summary>Checks on a live server; when none can be had they are recorded "not run" with the reason and fix.</summary>
    public async Task LiveAsync(ServerNeed need, IReadOnlyList<CheckSpec> specs, Func<ServerLease, CheckScope, Task> body)
    {
        var (lease, reason, misconfigured) = await servers.AcquireAsync(need, criterion.Id);
        if (lease is null)
        {
            // A server the user configured but that cannot be used is an error to fix, never a quiet skip.
            if (misconfigured)
            {
                configurationError ??= reason;
            }

            checks.AddRange(CheckScope.AllNotRun(specs, reason));
            output.WriteLine($"[{Label}] not run ({specs.Count} checks): {reason}");
            return;
        }

        await using (lease)
        {
            var info = new ServerInfo(ServerNames.Of(lease.Kind), lease.Version, lease.Isolation);
            server ??= info;
            var first = checks.Count;
            await RunBlockAsync(
                specs,
                scope =>
                {
                    lease.BindBlock(scope.Cancellation);
                    return body(lease, scope);
                },
                token => RunWatcher.WatchAsync(lease, token));
            OnServer(checks, first, info);
        }
    }

    /// <summary>
    /// Checks on a host the fact acquired itself (another engine's test host, a storage emulator, a checkpoint store):
    /// recorded as run on <paramref name="host"/>, bounded and cancelled like every other block.
    /// </summary>
    public async Task HostedAsync(ServerInfo host, IReadOnlyList<CheckSpec> specs, Func<CheckScope, Task> body)
    {
        server ??= host;
        var first = checks.Count;
        await RunBlockAsync(specs, body);
        OnServer(checks, first, host);
    }

    /// <summary>
    /// Checks whose host could not be had: "not run" with <paramref name="reason"/> (what is missing and the fix). A host
    /// the user configured that cannot be used (<paramref name="misconfigured"/>) fails the fact instead of skipping it.
    /// </summary>
    public void Unavailable(IReadOnlyList<CheckSpec> specs, string reason, bool misconfigured = false)
    {
        if (misconfigured)
        {
            configurationError ??= reason;
        }

        checks.AddRange(CheckScope.AllNotRun(specs, reason));
        output.WriteLine($"[{Label}] not run ({specs.Count} checks): {reason}");
    }

    private string Label => new FactKey(engine.Id, criterion.Id).ToString();

    /// <summary>
    /// Marks the checks from <paramref name="first"/> on that ran as run on <paramref name="info"/>, so a fact whose
    /// blocks ran on different servers reports each check's own; a check that did not run ran on no server.
    /// </summary>
    internal static void OnServer(List<CheckResult> recorded, int first, ServerInfo info)
    {
        for (var i = first; i < recorded.Count; i++)
        {
            if (recorded[i].Outcome != CheckOutcome.NotRun)
            {
                recorded[i] = recorded[i] with { Server = info };
            }
        }
    }

    /// <summary>A measured number; performance numbers pass the <paramref name="method"/> that produced them, printed beside them.</summary>
    public void Metric(string name, double value, string unit, MetricMethod? method = null)
    {
        metrics.Add(new Metric(name, value, unit, method));
        output.WriteLine($"[{Label}] metric {name} = {value.ToString("0.###", CultureInfo.InvariantCulture)} {unit}{(method is null ? string.Empty : " (" + method.Describe() + ")")}");
    }

    /// <summary>Something observed that is not pass/fail but that a reader should know (e.g. what the SDK cannot detect).</summary>
    public void Finding(string text) => findings.Add(text);

    /// <summary>Documented evidence: a statement and its source, shown as documented, never as measured.</summary>
    public void Cite(string statement, string source) => citations.Add(new Citation(statement, source));

    /// <summary>Stores the evidence and makes the test outcome agree with the rating.</summary>
    public void Conclude()
    {
        var evidence = new CriterionEvidence(criterion.Id, fact, checks.ToList(), metrics.ToList(), citations.ToList(), findings.ToList(), server) { Engine = engine.Id };
        EvidenceStore.Put(evidence);
        var rating = Rubric.Rate(EngineScope.For(engine, criterion).Support, evidence.Checks);
        foreach (var c in evidence.Checks)
        {
            output.WriteLine($"[{Label}] {c.Kind.ToString().ToLowerInvariant(),-10} {c.Outcome,-7} {c.Id}: {c.Detail}");
        }

        output.WriteLine($"[{Label}] rating: {Rubric.StarsText(rating.Stars)} {rating.Label} ({rating.Reason})");
        if (configurationError is not null)
        {
            Assert.Fail($"configured server unusable: {configurationError}");
        }

        var failed = evidence.Checks.Where(c => c.Outcome == CheckOutcome.Failed).ToList();
        var failedText = string.Join("; ", failed.Select(c => $"{c.Id} ({c.Kind.ToString().ToLowerInvariant()}): {c.Detail}"));
        if (!rating.IsEvaluated)
        {
            if (failed.Count > 0)
            {
                Assert.Fail($"{criterion.Id} not evaluated ({rating.Reason}) and checks failed: {failedText}");
            }

            if (settings.RequireServer)
            {
                Assert.Fail($"{criterion.Id} not evaluated and {Settings.RequireServerVariable}=1 forbids skipping: {rating.Reason}");
            }

            throw new SkipException($"{criterion.Id} not evaluated: {rating.Reason}");
        }

        // Engines other than the subject are measured for the comparison, not gated: a weak rating there is a finding
        // about that engine, not a failure of this run.
        if (!engine.IsSubject)
        {
            return;
        }

        // The policy's bar (durableeval.policy.json, when enforced) or the rubric's; a malformed policy fails here in one line.
        var policy = Reporting.PolicyFiles.Current;
        var bar = policy.AssertedBarFor(criterion);
        if (rating.Stars < bar)
        {
            Assert.Fail($"{criterion.Id} rated {Rubric.StarsText(rating.Stars)} {rating.Label}, below the bar of {bar} stars ({policy.Source}). Failed checks: {failedText}");
        }
    }

    private async Task RunBlockAsync(IReadOnlyList<CheckSpec> specs, Func<CheckScope, Task> body, Func<CancellationToken, Task<string>>? watch = null)
    {
        var outcome = await BlockRunner.RunAsync(specs, body, BlockTimeout, BlockRunner.DefaultStopGrace, watch);
        if (outcome.Error is SkipException skip)
        {
            throw skip;
        }

        if (outcome.Error is not null)
        {
            output.WriteLine($"[{Label}] block error: {outcome.Error}");
        }

        checks.AddRange(outcome.Checks);
    }
}
