using System.Text;
using DurableEval.Tests.SelfTests.Snapshots;
using DurableEval.Tests.Servers;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Every reason a fact prints about servers, rendered for every combination of the time-skipping, dev and
/// external server being configured or not and available or not, through the fixture's own selection
/// (ServerFixture.SelectAsync, Candidates, Explain) and ServerReasons. Each printed reason must be true: it names a
/// variable as unset only when it is unset, quotes a configured value only when it is set, calls a server
/// unusable only when it was tried and failed, and a provided dev server is used where a block prefers one.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ServerReasonTableTests
{
    private const string TestServerPath = "/opt/temporal-test-server";
    private const string CliPath = "/opt/temporal";
    private const string Address = "cluster.example:7233";

    private static readonly ServerKind[] Kinds = [ServerKind.TimeSkipping, ServerKind.Dev, ServerKind.External];

    private static readonly ServerNeed[] Needs = [ServerNeed.TimeSkipping, ServerNeed.Any, ServerNeed.PreferFull, ServerNeed.Full, ServerNeed.RestartableDev, ServerNeed.Persistent];

    [Fact]
    public async Task EveryReasonIsTrue()
    {
        var rows = await RenderAsync();
        var problems = rows.SelectMany(Untruths).ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task TheReasonTableIsStable()
    {
        var text = new StringBuilder("# Server reasons for every combination (configured / available)\n\n");
        foreach (var row in await RenderAsync())
        {
            text.Append(row.Render()).Append('\n');
        }

        Snapshot.Verify(text.ToString(), "md", nameof(ServerReasonTableTests));
    }

    [Fact]
    public async Task AProvidedDevServerIsPreferredWhereABlockCanUseIt()
    {
        var rows = await RenderAsync();

        // The defect this guards: with DURABLEEVAL_CLI_PATH set, a block accepting any server ran on the
        // time-skipping server, so OP-01's dev-server start, OB-03's UI render and OB-04's linked signal never ran.
        Assert.All(
            rows.Where(r => r.Need == ServerNeed.PreferFull && r.Configured[ServerKind.Dev] && r.Available[ServerKind.Dev] && !r.Configured[ServerKind.External]),
            r => Assert.Equal(ServerKind.Dev, r.RanOn));
        Assert.All(
            rows.Where(r => r.Need == ServerNeed.Any && r.Available[ServerKind.TimeSkipping] && !r.Configured[ServerKind.External]),
            r => Assert.Equal(ServerKind.TimeSkipping, r.RanOn));
    }

    private static IEnumerable<string> Untruths(Row row)
    {
        var texts = new[] { row.AcquireReason, row.DevCheckReason }.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        foreach (var text in texts)
        {
            string Problem(string what) => $"{row.Render()}\n    untrue: {what}";
            if (row.Configured[ServerKind.Dev] && (text.Contains($"{Settings.CliPathVariable} is unset", StringComparison.Ordinal) || text.Contains($"set {Settings.CliPathVariable}", StringComparison.Ordinal)))
            {
                yield return Problem($"says {Settings.CliPathVariable} is unset while it is set");
            }

            // A configured external server is chosen wherever it can serve, so a CLI alone never moves a block to the dev server.
            if (row.Configured[ServerKind.External] && text.Contains($"is unset; set it to a pre-installed temporal CLI to run this check", StringComparison.Ordinal))
            {
                yield return Problem($"advises setting {Settings.CliPathVariable} alone while a configured external server takes precedence");
            }

            if (!row.Configured[ServerKind.Dev] && text.Contains($"{Settings.CliPathVariable}=", StringComparison.Ordinal))
            {
                yield return Problem($"quotes {Settings.CliPathVariable} while it is unset");
            }

            if (row.Configured[ServerKind.TimeSkipping] && text.Contains($"set {Settings.TestServerPathVariable}", StringComparison.Ordinal))
            {
                yield return Problem($"asks to set {Settings.TestServerPathVariable} while it is set");
            }

            if (!row.Configured[ServerKind.TimeSkipping] && text.Contains($"{Settings.TestServerPathVariable}=", StringComparison.Ordinal))
            {
                yield return Problem($"quotes {Settings.TestServerPathVariable} while it is unset");
            }

            if (row.Configured[ServerKind.External] && text.Contains("no external server is configured", StringComparison.Ordinal))
            {
                yield return Problem("says no external server is configured while TEMPORAL_ADDRESS is set");
            }

            if (!row.Configured[ServerKind.External] && text.Contains("TEMPORAL_ADDRESS=", StringComparison.Ordinal))
            {
                yield return Problem("quotes TEMPORAL_ADDRESS while it is unset");
            }

            foreach (var kind in Kinds.Where(k => row.Available[k] && (row.Configured[k] || k != ServerKind.External)))
            {
                if (text.Contains(SimulatedFailure(kind), StringComparison.Ordinal))
                {
                    yield return Problem($"calls the {ServerNames.Of(kind)} unusable while it is available");
                }
            }
        }

        if (row.RanOn is { } ran && !row.Available[ran])
        {
            yield return $"{row.Render()}\n    untrue: ran on an unavailable {ServerNames.Of(ran)}";
        }
    }

    private static string SimulatedFailure(ServerKind kind) => $"simulated {kind} start failure";

    private static async Task<List<Row>> RenderAsync()
    {
        var rows = new List<Row>();
        foreach (var configured in Combinations())
        {
            foreach (var available in Combinations())
            {
                // An external server that is not configured is never tried, so "available" means nothing for it.
                if (!configured[ServerKind.External] && available[ServerKind.External])
                {
                    continue;
                }

                var env = new Dictionary<string, string>(StringComparer.Ordinal);
                if (configured[ServerKind.TimeSkipping])
                {
                    env[Settings.TestServerPathVariable] = TestServerPath;
                }

                if (configured[ServerKind.Dev])
                {
                    env[Settings.CliPathVariable] = CliPath;
                }

                if (configured[ServerKind.External])
                {
                    env["TEMPORAL_ADDRESS"] = Address;
                }

                var settings = Settings.FromEnvironment(env);
                foreach (var need in Needs)
                {
                    // What the fixture remembers: every kind it tried and could not use, with its explained reason.
                    var unavailable = new Dictionary<ServerKind, string>();
                    var (lease, reason, misconfigured) = await ServerFixture.SelectAsync<string>(
                        ServerFixture.Candidates(need, settings),
                        kind =>
                        {
                            if (available[kind])
                            {
                                return Task.FromResult<(string?, string)>((kind.ToString(), string.Empty));
                            }

                            var why = ServerFixture.Explain(settings, kind, new InvalidOperationException(SimulatedFailure(kind)));
                            unavailable[kind] = why;
                            return Task.FromResult<(string?, string)>((null, why));
                        },
                        kind => ServerFixture.IsConfigured(settings, kind));
                    ServerKind? ranOn = lease is null ? null : Enum.Parse<ServerKind>(lease);

                    // The reason a check that wants the dev server (OP-01, OB-01, OB-03, DX-03) prints when its block ran elsewhere.
                    // Only blocks that would take a dev server (Full, PreferFull) hold dev-server checks that print this reason.
                    var devCheck = ranOn is { } ran && ran != ServerKind.Dev && need is ServerNeed.Full or ServerNeed.PreferFull
                        ? ServerReasons.NotOn(settings, ran, unavailable, ServerKind.Dev)
                        : null;
                    rows.Add(new Row(configured, available, need, ranOn, lease is null ? reason : null, misconfigured, devCheck));
                }
            }
        }

        return rows;
    }

    private static IEnumerable<Dictionary<ServerKind, bool>> Combinations()
    {
        for (var bits = 0; bits < 8; bits++)
        {
            yield return Kinds.Select((k, i) => (k, on: (bits & (1 << i)) != 0)).ToDictionary(x => x.k, x => x.on);
        }
    }

    private sealed record Row(
        Dictionary<ServerKind, bool> Configured,
        Dictionary<ServerKind, bool> Available,
        ServerNeed Need,
        ServerKind? RanOn,
        string? AcquireReason,
        bool Misconfigured,
        string? DevCheckReason)
    {
        public string Render()
        {
            string State(ServerKind kind) => $"{(Configured[kind] ? "configured" : "unset")}/{(Available[kind] ? "up" : "down")}";
            var head = $"- ts {State(ServerKind.TimeSkipping)}, dev {State(ServerKind.Dev)}, external {State(ServerKind.External)}; {Need}: ";
            return RanOn is { } ran
                ? head + $"ran on the {ServerNames.Of(ran)}" + (DevCheckReason is null ? string.Empty : $"; a dev-server check is not run: {DevCheckReason}")
                : head + $"not run{(Misconfigured ? " (configured server unusable: the fact fails)" : string.Empty)}: {AcquireReason}";
        }
    }
}
