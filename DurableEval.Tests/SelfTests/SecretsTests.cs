using DurableEval.Evaluation;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Secrets never leak: with an API key and TLS key paths and data set, a run whose external server cannot be had
/// goes through the real pipeline (fixture reasons, environment, report composition) and no format contains them.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class SecretsTests
{
    private const string ApiKey = "sk-test-DurableEvalApiKey-7f3a9c1e";
    private const string KeyData = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDdurableevalSecretLine\n-----END PRIVATE KEY-----";

    [Fact]
    public async Task NoFormatContainsTheApiKeyOrTlsKeys()
    {
        var keyPath = Path.Combine(Path.GetTempPath(), $"durableeval-secret-client-key-{Guid.NewGuid():N}.pem");
        var certPath = Path.Combine(Path.GetTempPath(), $"durableeval-secret-client-cert-{Guid.NewGuid():N}.pem");
        var reasons = new List<string>();
        var stats = new ServerStats();

        // One configuration per TLS form: a key on disk (paths that do not exist, so the SDK names them in its error)
        // and the key inline.
        foreach (var tls in new[]
        {
            new Dictionary<string, string> { ["TEMPORAL_TLS_CLIENT_KEY_PATH"] = keyPath, ["TEMPORAL_TLS_CLIENT_CERT_PATH"] = certPath },
            new Dictionary<string, string> { ["TEMPORAL_TLS_CLIENT_KEY_DATA"] = KeyData, ["TEMPORAL_TLS_CLIENT_CERT_DATA"] = KeyData },
        })
        {
            var environment = new Dictionary<string, string>(tls)
            {
                ["TEMPORAL_ADDRESS"] = "127.0.0.1:1",
                ["TEMPORAL_API_KEY"] = ApiKey,
                [Settings.StartTimeoutVariable] = "10",
            };
            var fixture = new ServerFixture(Settings.FromEnvironment(environment), stats);
            try
            {
                var (lease, reason, _) = await fixture.AcquireAsync(ServerNeed.Any, "EX-01");
                Assert.Null(lease);
                reasons.Add(reason);
            }
            finally
            {
                await fixture.DisposeAsync();
            }
        }

        var all = new Dictionary<string, string>
        {
            ["TEMPORAL_ADDRESS"] = "127.0.0.1:1",
            ["TEMPORAL_API_KEY"] = ApiKey,
            ["TEMPORAL_TLS_CLIENT_KEY_PATH"] = keyPath,
            ["TEMPORAL_TLS_CLIENT_CERT_PATH"] = certPath,
            ["TEMPORAL_TLS_CLIENT_KEY_DATA"] = KeyData,
        };
        var settings = Settings.FromEnvironment(all) with { ReportsDirectory = Path.GetTempPath() };

        // The worst case a fact can produce: the reasons verbatim in checks, the fact's message and a finding, plus
        // a finding that quotes the secrets outright.
        var results = Catalog.All.Select(d => d.Id != "EX-01"
            ? Assessment.Assess(d, FactOutcome.NoFact, null, EvaluationProfile.Default)
            : Assessment.Assess(
                d,
                new FactOutcome(FactState.Skipped, "F.EX01", string.Join(" ", reasons), TimeSpan.FromSeconds(1)),
                new CriterionEvidence(
                    "EX-01",
                    "F.EX01",
                    reasons.Select((r, i) => new CheckResult($"c{i}", CheckKind.Core, "live", CheckOutcome.NotRun, r))
                        .Append(new CheckResult("shared", CheckKind.Edge, "live", CheckOutcome.NotRun, reasons[0])).ToList(),
                    [],
                    [],
                    [$"key {ApiKey} at {keyPath}: {KeyData.ReplaceLineEndings(" ")}"],
                    null),
                EvaluationProfile.Default)).ToList();
        var report = ReportPublisher.Compose(settings, stats, EvaluationProfile.Default, Policy.Default, results, Snapshots.SyntheticEvidence.Clock, null);

        var formats = new Dictionary<string, string>
        {
            ["REPORT.md"] = MarkdownReport.Render(report),
            ["results.json"] = JsonReport.Render(report),
            ["junit.xml"] = JunitReport.Render(report),
            ["console"] = string.Join("\n", ConsoleSummary.Lines(report, "REPORT.md")),
        };
        foreach (var (name, text) in formats)
        {
            foreach (var secret in new[] { ApiKey, keyPath, certPath, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDdurableevalSecretLine", "durableeval-secret-client" })
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} contains the secret '{secret}'");
            }
        }

        Assert.Contains("[redacted TEMPORAL_API_KEY]", formats["REPORT.md"], StringComparison.Ordinal);
    }
}
