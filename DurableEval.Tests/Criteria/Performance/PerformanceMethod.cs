using System.Diagnostics;
using DurableEval.Evaluation;
using DurableEval.Tests.Servers;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Worker;

namespace DurableEval.Tests.Criteria;

/// <summary>What PF facts print beside their numbers: the server, its persistence and the worker settings, as observed.</summary>
internal static class PerformanceMethod
{
    public static string Server(ServerLease server) => $"{ServerNames.Of(server.Kind)} {server.Version}, loopback, {Environment.ProcessorCount} cores shared";

    public static string Persistence(ServerKind kind) => kind switch
    {
        ServerKind.TimeSkipping => "in-memory (the time-skipping test server writes nothing to disk: optimistic)",
        ServerKind.Dev => "dev server SQLite, in-memory unless a database file is given",
        _ => "the external cluster's own database (not observed from here)",
    };

    public static string Worker(TemporalWorkerOptions options) =>
        $"activity slots {options.MaxConcurrentActivities}, local-activity slots {options.MaxConcurrentLocalActivities}, " +
        $"workflow-task slots {options.MaxConcurrentWorkflowTasks}, cache {options.MaxCachedWorkflows} workflows, " +
        $"eager activities {(options.DisableEagerActivityExecution ? "off" : "on (SDK default; whether the server grants them is not observed)")}";

    public static MetricMethod Method(ServerLease server, TemporalWorkerOptions? worker, int samples, int warmup, int repeats, string statistic) =>
        new(samples, warmup, repeats, statistic, Server(server), Persistence(server.Kind), worker is null ? "none (client RPC only)" : Worker(worker));

    /// <summary>The transport floor: round trips of the cheapest RPC on the same connection, after a warm-up.</summary>
    public static async Task<IReadOnlyList<double>> RoundTripsAsync(ServerLease server, int warmup, int samples, CancellationToken cancellation)
    {
        var results = new List<double>(samples);
        for (var i = 0; i < warmup + samples; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            await server.Client.Connection.WorkflowService.GetSystemInfoAsync(new GetSystemInfoRequest());
            if (i >= warmup)
            {
                results.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return results;
    }
}
