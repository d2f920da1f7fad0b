using System.Reflection;
using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using DurableEval.Workflows.DurableTask;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// Durable Task's in-process test host: an in-memory orchestration service behind an in-process gRPC sidecar, one
/// worker, timers in real time, no history kept, no crash survival. Every block gets a fresh host, so blocks share
/// no instances; the host is disposed when the block ends.
/// </summary>
public static class InProcessHost
{
    /// <summary>
    /// One host at a time in this process. Hosts started side by side (parallel lanes, self-tests) interfered: a
    /// restart answered "Exception was thrown by handler" and a stopped-and-restarted worker never resumed, both seen
    /// only when another host ran at the same time and never in a fact run alone (4 of 4 runs clean). A host's result
    /// must be the engine's, not a neighbour's, so blocks on this host queue for it.
    /// </summary>
    private static readonly SemaphoreSlim OneHostAtATime = new(1, 1);

    /// <summary>Starting takes about 0.2 s; the bound only keeps a broken machine from stalling the fact.</summary>
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(30);

    /// <summary>The package version, read from the assembly that runs (never written down).</summary>
    public static string Version { get; } = ReadVersion();

    public static ServerInfo Info { get; } = new("durable task in-process test host", Version, "a fresh in-memory host per block");

    /// <summary>
    /// Runs one block of checks on a fresh host with <paramref name="registry"/>'s tasks and a <see cref="DurableCallLog"/>
    /// in its services; a host that cannot start records the block "not run" with the reason.
    /// </summary>
    public static async Task RunAsync(
        FactRecorder fact,
        IReadOnlyList<CheckSpec> specs,
        Action<DurableTaskRegistry> registry,
        Func<InProcessBlock, CheckScope, Task> body,
        Action<IServiceCollection>? services = null)
    {
        using var exclusive = await ExclusiveAsync();
        DurableTaskTestHost host;
        DurableCallLog log;
        try
        {
            (host, log) = await StartAsync(registry, services);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            fact.Unavailable(specs, $"the Durable Task in-process test host did not start ({e.GetType().Name}: {Servers.ServerFixture.OneLine(e.Message)}); fix: restore Microsoft.DurableTask.InProcessTestHost and allow it a free loopback port");
            return;
        }

        await using (host)
        {
            await fact.HostedAsync(Info, specs, scope => body(new InProcessBlock(host, log, scope.Cancellation), scope));
        }
    }

    /// <summary>Holds the process's one in-process host slot until disposed (see <see cref="OneHostAtATime"/>); self-tests that start a host take it too.</summary>
    public static async Task<IDisposable> ExclusiveAsync()
    {
        await OneHostAtATime.WaitAsync();
        return new Slot();
    }

    private sealed class Slot : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                OneHostAtATime.Release();
            }
        }
    }

    /// <summary>A fresh host with <paramref name="registry"/>'s tasks and a new <see cref="DurableCallLog"/> in its services; the caller disposes it.</summary>
    public static async Task<(DurableTaskTestHost Host, DurableCallLog Log)> StartAsync(Action<DurableTaskRegistry> registry, Action<IServiceCollection>? services = null)
    {
        var log = new DurableCallLog();
        using var bound = new CancellationTokenSource(StartBound);

        // A port of our choosing, free when chosen: the package's own random pick collided with a port another server
        // of the run held ("address already in use"). Chosen again if it is taken before the host binds it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var host = await DurableTaskTestHost.StartAsync(
                    registry,
                    new DurableTaskTestHostOptions
                    {
                        Port = Servers.DevServers.FreeLoopbackPort(),
                        ConfigureServices = s =>
                        {
                            s.AddSingleton(log);
                            services?.Invoke(s);
                        },
                    },
                    bound.Token);
                return (host, log);
            }
            catch (IOException) when (attempt < 3)
            {
            }
        }
    }

    private static string ReadVersion()
    {
        var informational = typeof(DurableTaskTestHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational is null ? "unknown" : informational.Split('+')[0];
    }
}

/// <summary>A running host for one block: its client, its activities' log, unique instance ids and bounded waits.</summary>
public sealed class InProcessBlock(DurableTaskTestHost host, DurableCallLog log, CancellationToken cancellation)
{
    /// <summary>Every wait for an instance ends here at the latest (activities take milliseconds; timers are kept under 2 s).</summary>
    public static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(20);

    public DurableTaskTestHost Host => host;

    public DurableTaskClient Client => host.Client;

    public DurableCallLog Log => log;

    public CancellationToken Cancellation => cancellation;

    public static string NewId(string criterion) => $"de-{criterion}-{Guid.NewGuid():N}";

    /// <summary>Starts an orchestration under a new unique id and returns the id.</summary>
    public Task<string> StartAsync(string criterion, TaskName orchestrator, object? input, StartOrchestrationOptions? options = null) =>
        Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, input, options ?? new StartOrchestrationOptions(NewId(criterion)), cancellation);

    /// <summary>Waits, bounded, for the instance to reach a terminal state (inputs and outputs included).</summary>
    public async Task<OrchestrationMetadata> CompletionAsync(string instanceId, TimeSpan? within = null)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(within ?? WaitBound);
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, bound.Token);
    }

    /// <summary>Waits, bounded, until the instance has started running.</summary>
    public async Task<OrchestrationMetadata> StartedAsync(string instanceId)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bound.CancelAfter(WaitBound);
        return await Client.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs: true, bound.Token);
    }

    /// <summary>Polls, bounded, until the instance's custom status satisfies <paramref name="condition"/>; returns the last metadata seen.</summary>
    public async Task<OrchestrationMetadata?> StatusAsync(string instanceId, Func<OrchestrationMetadata, bool> condition)
    {
        OrchestrationMetadata? last = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                last = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellation);
                return last is not null && condition(last);
            },
            WaitBound,
            cancellation);
        return last;
    }

    /// <summary>
    /// The instance's history as the host returns it; an empty list is how this host answers (it keeps none), so a
    /// fact that needs history reports its check "not run" on an empty answer instead of failing it.
    /// </summary>
    public async Task<IReadOnlyList<global::DurableTask.Core.History.HistoryEvent>> HistoryAsync(string instanceId) =>
        (await Client.GetOrchestrationHistoryAsync(instanceId, cancellation)).ToList();

    public const string NoHistory = "the in-process test host keeps no history: GetOrchestrationHistoryAsync returned 0 events (the Azure Storage provider keeps it)";
}
