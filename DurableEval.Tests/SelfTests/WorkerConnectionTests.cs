using System.Text;
using DurableEval.Tests.Reliability;
using DurableEval.Workflows.Shared;
using Temporalio.Client;
using Temporalio.Common.EnvConfig;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The kill protocol's worker connects like the test's client, and its secrets never show: the settings the fixture
/// resolved from Temporal's environment configuration survive the trip through the worker's standard input, the
/// launch arguments and environment carry none of them, the real worker says in one line that it cannot connect
/// (with the TLS and key it was given, by name only), and a worker that could not start is "not evaluated" with
/// its reason, never "vacuous".
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class WorkerConnectionTests
{
    private const string ApiKey = "sk-worker-DurableEvalApiKey-5d1e0b7a";
    private const string ClientKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDworkerSecretKeyLine\n-----END PRIVATE KEY-----\n";
    private const string ClientCert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIUworkerClientCertificateLine0123456789abcdef\n-----END CERTIFICATE-----\n";
    private const string ServerCa = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUworkerServerCaCertificateLine0123456789abc\n-----END CERTIFICATE-----\n";

    /// <summary>Temporal's own variable names, as a team sets them for a TLS cluster or Temporal Cloud.</summary>
    private static Dictionary<string, string> CloudLikeEnvironment(string address) => new()
    {
        ["TEMPORAL_ADDRESS"] = address,
        ["TEMPORAL_NAMESPACE"] = "team-ns.a1b2c",
        ["TEMPORAL_API_KEY"] = ApiKey,
        ["TEMPORAL_TLS_SERVER_CA_CERT_DATA"] = ServerCa,
        ["TEMPORAL_TLS_SERVER_NAME"] = "frontend.example.internal",
        ["TEMPORAL_TLS_CLIENT_CERT_DATA"] = ClientCert,
        ["TEMPORAL_TLS_CLIENT_KEY_DATA"] = ClientKey,
        ["TEMPORAL_GRPC_META_X_TEAM"] = "evaluation",
    };

    private static readonly string[] SecretTexts =
    [
        ApiKey,
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDworkerSecretKeyLine",
        Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientKey)),
    ];

    [Fact]
    public void SettingsResolvedFromEnvConfigReachTheWorkerUnchangedThroughItsStandardInput()
    {
        var resolved = ClientEnvConfig.LoadClientConnectOptions(new ClientEnvConfig.ProfileLoadOptions
        {
            DisableFile = true,
            OverrideEnvVars = CloudLikeEnvironment("127.0.0.1:1"),
        });
        var client = new TemporalClient(
            TemporalConnection.CreateLazy(resolved),
            new TemporalClientOptions { Namespace = resolved.Namespace });

        var line = WorkerConnection.From(client).ToJsonLine();
        var received = WorkerConnection.Parse(line).ToConnectOptions("worker-1");

        Assert.DoesNotContain('\n', line);
        Assert.Equal("127.0.0.1:1", received.TargetHost);
        Assert.Equal("team-ns.a1b2c", received.Namespace);
        Assert.Equal(ApiKey, received.ApiKey);
        Assert.NotNull(received.Tls);
        Assert.Equal(resolved.Tls!.ServerRootCACert, received.Tls.ServerRootCACert);
        Assert.Equal(Encoding.UTF8.GetBytes(ServerCa), received.Tls.ServerRootCACert);
        Assert.Equal(Encoding.UTF8.GetBytes(ClientCert), received.Tls.ClientCert);
        Assert.Equal(Encoding.UTF8.GetBytes(ClientKey), received.Tls.ClientPrivateKey);
        Assert.Equal("frontend.example.internal", received.Tls.Domain);
        Assert.Equal([new KeyValuePair<string, string>("x-team", "evaluation")], received.RpcMetadata!);
        Assert.Equal("worker-1", received.Identity);

        // A plain server (the time-skipping bench) stays plain: no TLS, no key appear on the way.
        var plain = WorkerConnection.Parse(new WorkerConnection { TargetHost = "127.0.0.1:7233", Namespace = "default" }.ToJsonLine()).ToConnectOptions("w");
        Assert.Null(plain.Tls);
        Assert.Null(plain.ApiKey);

        // TLS options that are present but switched off stay off.
        var off = new TemporalConnectionOptions("127.0.0.1:1") { Tls = new TlsOptions { Disabled = true } };
        Assert.True(WorkerConnection.Parse(WorkerConnection.From(TemporalConnection.CreateLazy(off), "ns").ToJsonLine()).ToConnectOptions("w").Tls!.Disabled);
    }

    [Fact]
    public void LaunchArgumentsAndEnvironmentCarryNoSecretAndTheStandardInputLineCarriesThem()
    {
        var launch = new WorkerLaunch(TlsConnection("127.0.0.1:1"), "de-kill-q", "/tmp/ledger.db", Cache: false, "worker-1");
        var info = WorkerProcess.StartInfo(launch, parentProcessId: 4242);

        Assert.NotEmpty(info.ArgumentList);
        foreach (var argument in info.ArgumentList)
        {
            Assert.All(SecretTexts.Append("BEGIN PRIVATE KEY"), secret => Assert.DoesNotContain(secret, argument, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(info.ArgumentList, a => a.Contains("127.0.0.1:1", StringComparison.Ordinal) || a == "--address");
        Assert.DoesNotContain(info.Environment.Keys, k => k.StartsWith("TEMPORAL_", StringComparison.OrdinalIgnoreCase));

        // Everything the worker needs to connect is in the line it reads first.
        var sent = WorkerConnection.Parse(launch.StandardInputLine());
        Assert.Equal(ApiKey, sent.ApiKey);
        Assert.Equal(Encoding.UTF8.GetBytes(ClientKey), sent.Tls!.ClientPrivateKey);
    }

    [Fact]
    public void TextFormsNameTheSettingsAndNeverShowASecret()
    {
        var connection = TlsConnection("127.0.0.1:1");
        var launch = new WorkerLaunch(connection, "q", "/tmp/l.db", Cache: true, "worker-1");
        foreach (var text in new[] { connection.ToString(), connection.Describe(), launch.ToString(), connection.Tls!.ToString() })
        {
            Assert.All(SecretTexts, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }

        Assert.Equal(
            "127.0.0.1:1, namespace team-ns, TLS (server CA, server name frontend.example.internal, client certificate, client key), API key, 1 metadata header(s) (x-team)",
            connection.Describe());
        var redacted = connection.Redact($"a {ApiKey} b {ClientKey.ReplaceLineEndings(" ").Trim()} c evaluation");
        Assert.StartsWith("a [redacted] b [redacted]", redacted, StringComparison.Ordinal);
        Assert.EndsWith("c [redacted]", redacted, StringComparison.Ordinal);
        Assert.All(SecretTexts, secret => Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal));

        // Bad input is one line that quotes nothing of it.
        var bad = Assert.Throws<FormatException>(() => WorkerConnection.Parse("{\"ApiKey\":\"" + ApiKey + "\""));
        Assert.DoesNotContain(ApiKey, bad.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => WorkerConnection.Parse(null));
    }

    [Fact]
    public async Task RealWorkerThatCannotConnectSaysSoInOneLineAndExitsWithCannotConnect()
    {
        // Nothing listens on port 1: the worker gets the TLS settings and the key through its standard input,
        // names them (never their values) in its one-line reason, and exits with the code the protocol reads.
        var connection = TlsConnection("127.0.0.1:1");
        var ledger = Path.Combine(Path.GetTempPath(), $"durableeval-unused-ledger-{Guid.NewGuid():N}.db");
        await using var worker = WorkerProcess.Start(new WorkerLaunch(connection, "de-kill-q", ledger, Cache: false, "worker-1"));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await worker.WaitForOutputAsync(bound.Token);

        Assert.True(worker.ExitedOnItsOwn);
        Assert.Equal(WorkerExitCodes.CannotConnect, worker.ExitCode);
        var first = Assert.Single(worker.FirstErrorLines);
        Assert.StartsWith(
            $"{WorkerExitCodes.CannotConnectPrefix} to 127.0.0.1:1, namespace team-ns, TLS (server CA, server name frontend.example.internal, client certificate, client key), API key",
            first,
            StringComparison.Ordinal);
        Assert.All(SecretTexts, secret => Assert.DoesNotContain(secret, string.Join("\n", worker.RecentOutput), StringComparison.Ordinal));
        Assert.False(File.Exists(ledger));

        // What the protocol then records: not evaluated, with the worker's own words; never "vacuous".
        var exit = new WorkerExit(worker.Identity, worker.ExitCode, CameUp: false, worker.FirstErrorLines);
        var verdicts = ReliabilityOracles.Evaluate(new KillRunObservation(1, 5, [new PlannedKill(3, 0)], [], [], "the run ended", exit));
        Assert.All(new[] { verdicts.AllComplete, verdicts.EffectsOnce, verdicts.DuplicatesBounded, verdicts.CompletedStepsNotRerun }, v =>
        {
            Assert.Equal(OracleOutcome.NotRun, v.Outcome);
            Assert.Contains(WorkerExitCodes.CannotConnectPrefix, v.Evidence, StringComparison.Ordinal);
            Assert.DoesNotContain("vacuous", v.Evidence, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(WorkerExitCodes.CannotConnect, true, true)]
    [InlineData(WorkerExitCodes.Usage, true, true)]
    [InlineData(WorkerExitCodes.BadConnectionSettings, false, true)]
    [InlineData(WorkerExitCodes.ParentGone, true, true)]
    [InlineData(WorkerExitCodes.FailedWhileRunning, false, true)]
    [InlineData(WorkerExitCodes.FailedWhileRunning, true, false)]
    [InlineData(134, true, false)]
    public void WorkerExitIsAHarnessProblemOnlyWhenItCouldNotStart(int code, bool cameUp, bool harness)
    {
        var exit = new WorkerExit("worker-2", code, cameUp, ["worker worker-2 failed while running: boom"]);
        var (allComplete, others) = exit.Verdicts();

        Assert.Equal(harness, exit.IsHarnessProblem);
        Assert.Equal(harness ? OracleOutcome.NotRun : OracleOutcome.Failed, allComplete.Outcome);
        Assert.Equal(OracleOutcome.NotRun, others.Outcome);
        Assert.Contains("boom", allComplete.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("vacuous", allComplete.Evidence + others.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerThatNeverStartedPollingIsNotEvaluated()
    {
        var hung = new WorkerExit("worker-1", ExitCode: null, CameUp: false, []);
        Assert.True(hung.IsHarnessProblem);
        Assert.Contains("still not polling", hung.Verdicts().AllComplete.Evidence, StringComparison.Ordinal);
    }

    private static WorkerConnection TlsConnection(string address) => new()
    {
        TargetHost = address,
        Namespace = "team-ns",
        ApiKey = ApiKey,
        Tls = new WorkerTls
        {
            ServerRootCACert = Encoding.UTF8.GetBytes(ServerCa),
            Domain = "frontend.example.internal",
            ClientCert = Encoding.UTF8.GetBytes(ClientCert),
            ClientPrivateKey = Encoding.UTF8.GetBytes(ClientKey),
        },
        RpcMetadata = [new("x-team", "evaluation")],
    };

    [Fact]
    public void AgentFrameworkSettingsCrossAsTheConnectionAndRedactTheModelKey()
    {
        var settings = new DurableEval.Workflows.AgentFramework.AgentFrameworkWorkerSettings("/tmp/checkpoints", [new("run-1", 0)], 3, 10)
        {
            ModelEndpoint = "http://127.0.0.1:5000/v1/",
            ModelApiKey = "sk-model-secret-42",
        };
        var launch = new WorkerLaunch(settings, "agentframework", "/tmp/ledger.db", false, "worker-1", ["--host", "agentframework"]);

        Assert.Contains("sk-model-secret-42", launch.StandardInputLine(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-model-secret-42", string.Join(" ", launch.Arguments(1)), StringComparison.Ordinal);
        Assert.Equal("call failed with key [redacted]", settings.Redact("call failed with key sk-model-secret-42"));
        Assert.DoesNotContain("sk-model-secret-42", settings.Describe(), StringComparison.Ordinal);
    }
}
