using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common.EnvConfig;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

public sealed partial class OperationsFacts
{
    [SkippableFact]
    [Criterion("OP-01")]
    public async Task OP01_DeploymentModel()
    {
        var fact = Begin();
        await fact.OfflineAsync(
            [
                Core("profile-to-options", "A Temporal env-config TOML profile (address, namespace, API key, TLS server name, CA, client cert and key, gRPC metadata) loads into TemporalClientConnectOptions with every field arriving unchanged"),
                Core("env-overrides-file", "TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE from the environment override the file's profile, as Temporal's other SDKs and CLI do"),
                Edge("strict-rejects-unknown", "Strict loading rejects a profile with an unknown field instead of silently ignoring a typo"),
            ],
            async checks =>
            {
                // A throwaway key: random per run, compared but never written into the evidence.
                var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                const string Address = "payments.a1b2c.tmprl.cloud:7233";
                const string Namespace = "payments.a1b2c";
                const string ServerName = "payments.a1b2c.tmprl.cloud";
                const string Ca = "-----BEGIN CERTIFICATE-----\nca-data\n-----END CERTIFICATE-----";
                const string Cert = "-----BEGIN CERTIFICATE-----\nclient-cert\n-----END CERTIFICATE-----";
                const string Key = "-----BEGIN PRIVATE KEY-----\nclient-key\n-----END PRIVATE KEY-----";
                var toml = $"""
                    [profile.default]
                    address = "localhost:7233"

                    [profile.prod]
                    address = "{Address}"
                    namespace = "{Namespace}"
                    api_key = "{apiKey}"

                    [profile.prod.tls]
                    server_name = "{ServerName}"
                    server_ca_cert_data = "{Ca.Replace("\n", "\\n", StringComparison.Ordinal)}"
                    client_cert_data = "{Cert.Replace("\n", "\\n", StringComparison.Ordinal)}"
                    client_key_data = "{Key.Replace("\n", "\\n", StringComparison.Ordinal)}"

                    [profile.prod.grpc_meta]
                    x-tenant = "payments"
                    """;
                var path = Path.Combine(Path.GetTempPath(), $"durableeval-envconfig-{Guid.NewGuid():N}.toml");
                await File.WriteAllTextAsync(path, toml, checks.Cancellation);
                try
                {
                    var options = ClientEnvConfig.LoadClientConnectOptions(new ClientEnvConfig.ProfileLoadOptions
                    {
                        Profile = "prod",
                        ConfigSource = DataSource.FromPath(path),
                        OverrideEnvVars = new Dictionary<string, string>(),
                    });
                    static string Text(byte[]? bytes) => bytes is null ? string.Empty : Encoding.UTF8.GetString(bytes);
                    var fields = new (string Field, bool Arrived)[]
                    {
                        ("address", options.TargetHost == Address),
                        ("namespace", options.Namespace == Namespace),
                        ("API key", options.ApiKey == apiKey),
                        ("TLS server name", options.Tls?.Domain == ServerName),
                        ("TLS CA", Text(options.Tls?.ServerRootCACert) == Ca),
                        ("TLS client cert", Text(options.Tls?.ClientCert) == Cert),
                        ("TLS client key", Text(options.Tls?.ClientPrivateKey) == Key),
                        ("gRPC metadata", options.RpcMetadata?.Any(m => m.Key == "x-tenant" && m.Value == "payments") == true),
                    };
                    checks.Expect(
                        "profile-to-options",
                        fields.All(f => f.Arrived),
                        $"profile \"prod\" from a TOML file: {string.Join(", ", fields.Select(f => $"{f.Field} {(f.Arrived ? "arrived" : "MISSING or changed")}"))} (the key's value is not recorded)");

                    var overridden = ClientEnvConfig.LoadClientConnectOptions(new ClientEnvConfig.ProfileLoadOptions
                    {
                        Profile = "prod",
                        ConfigSource = DataSource.FromPath(path),
                        OverrideEnvVars = new Dictionary<string, string> { ["TEMPORAL_ADDRESS"] = "127.0.0.1:7999", ["TEMPORAL_NAMESPACE"] = "staging" },
                    });
                    checks.Expect(
                        "env-overrides-file",
                        overridden.TargetHost == "127.0.0.1:7999" && overridden.Namespace == "staging" && overridden.ApiKey == apiKey,
                        $"with TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE set: address {overridden.TargetHost}, namespace {overridden.Namespace}, API key from the file kept {overridden.ApiKey == apiKey}");

                    Exception? rejected = null;
                    try
                    {
                        ClientEnvConfig.LoadClientConnectOptions(new ClientEnvConfig.ProfileLoadOptions
                        {
                            Profile = "default",
                            ConfigSource = DataSource.FromUTF8String("[profile.default]\naddress = \"localhost:7233\"\nadress_typo = \"x\"\n"),
                            ConfigFileStrict = true,
                            OverrideEnvVars = new Dictionary<string, string>(),
                        });
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        rejected = e;
                    }

                    checks.Expect("strict-rejects-unknown", rejected is not null, $"strict load of a profile with \"adress_typo\": {Observe.Describe(rejected)}");
                }
                finally
                {
                    File.Delete(path);
                }
            });

        await fact.LiveAsync(
            ServerNeed.PreferFull,
            [
                Core("local-start-answers", "A local server started by one SDK call (WorkflowEnvironment.Start*Async) answers: GetSystemInfo reports its capabilities and the namespace describes"),
                Edge("dev-server-start", "The full dev server (Temporal CLI, SQLite) starts by one call, StartLocalAsync, and answers"),
                Production("remote-connect", "A live TLS or API-key connection to a remote cluster or Temporal Cloud, from options alone"),
            ],
            async (server, checks) =>
            {
                var info = await server.Client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest(), new RpcOptions { CancellationToken = checks.Cancellation });
                var ns = await server.Client.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = server.Client.Options.Namespace });
                var start = ServerStats.Run.Starts.LastOrDefault(s => s.Kind == server.Kind);
                if (start != default)
                {
                    fact.Metric($"start_ms_{server.Kind.ToString().ToLowerInvariant()}", start.StartMs, "ms");
                }

                checks.Expect(
                    "local-start-answers",
                    info.Capabilities is not null && ns.NamespaceInfo?.Name == server.Client.Options.Namespace,
                    $"{ServerNames.Of(server.Kind)} ({server.Isolation}); version {server.Version}; capabilities reported {info.Capabilities is not null} "
                        + $"(signal/query header support {info.Capabilities?.SignalAndQueryHeader.ToString(CultureInfo.InvariantCulture) ?? "n/a"}); namespace {ns.NamespaceInfo?.Name}");
                if (server.Kind == ServerKind.Dev)
                {
                    checks.Expect(
                        "dev-server-start",
                        info.Capabilities is not null && !server.Version.StartsWith("not reported", StringComparison.Ordinal),
                        $"dev server started by StartLocalAsync ({server.Isolation}) answered GetSystemInfo, version {server.Version}");
                }
                else
                {
                    checks.NotRun("dev-server-start", Servers.WhyNotOn(server.Kind, ServerKind.Dev));
                }

                checks.NotRun("remote-connect", server.Kind == ServerKind.External
                    ? "an external server answered above, but whether it used TLS or an API key is not visible from here"
                    : "no remote cluster or cloud account here; connecting needs only the options the profile above produced (address, namespace, TLS, API key)");
            });

        fact.Cite("One SDK call starts a local dev server (StartLocalAsync, SQLite, optional UI) or the time-skipping test server (StartTimeSkippingAsync)", "https://docs.temporal.io/develop/dotnet/testing-suite");
        fact.Cite("Environment configuration: TOML profiles and TEMPORAL_* variables give address, namespace, TLS and API key, shared by the CLI and all SDKs", "https://docs.temporal.io/develop/environment-configuration");
        fact.Cite("Production deployments: self-hosted clusters (Docker, Helm on Kubernetes) or Temporal Cloud; workers are ordinary processes", "https://docs.temporal.io/self-hosted-guide/deployment");
        fact.Conclude();
    }
}
