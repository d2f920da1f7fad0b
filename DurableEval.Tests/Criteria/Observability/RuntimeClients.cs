using DurableEval.Tests.Servers;
using Temporalio.Client;
using Temporalio.Runtime;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// A client on the lease's server on its own connection, optionally in its own SDK runtime (its own metrics exporter), connected
/// the way sdk-dotnet's tests do it: the lease's connection options cloned with the runtime swapped in.
/// </summary>
public static class RuntimeClients
{
    public static async Task<TemporalClient> ConnectAsync(ServerLease server, TemporalRuntime? runtime, Action<TemporalClientOptions>? configure = null)
    {
        var connection = (TemporalConnectionOptions)server.Client.Connection.Options.Clone();
        connection.Runtime = runtime ?? connection.Runtime;
        var options = (TemporalClientOptions)server.Client.Options.Clone();

        // The lease's client may carry the time-skipping interceptor, which belongs to its own environment.
        options.Interceptors = null;
        configure?.Invoke(options);
        return new TemporalClient(await TemporalConnection.ConnectAsync(connection), options);
    }

    public static TemporalRuntime WithPrometheus(string bindAddress) =>
        new(new TemporalRuntimeOptions { Telemetry = new TelemetryOptions { Metrics = new MetricsOptions { Prometheus = new PrometheusOptions(bindAddress) } } });
}
