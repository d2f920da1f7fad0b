using DurableEval.Workflows.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Temporalio.Worker;

namespace DurableEval.Tests.Criteria.Agents;

/// <summary>
/// The model endpoint plus the activities wired the way an application wires them: the chat client registered
/// with Microsoft.Extensions.AI's AddChatClient, the activities resolved from the container with the client
/// injected, and the resolved instances registered on workers.
/// </summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private AgentHost(ScriptedChatEndpoint endpoint)
    {
        Endpoint = endpoint;
        var collection = new ServiceCollection();
        collection.AddChatClient(_ => endpoint.ChatClient());
        collection.AddSingleton<ActivityJournal>();
        collection.AddSingleton<AgentToolbox>();
        collection.AddSingleton<ModelActivities>();
        collection.AddSingleton<ToolActivities>();
        services = collection.BuildServiceProvider();
    }

    public ScriptedChatEndpoint Endpoint { get; }

    public ActivityJournal Journal => services.GetRequiredService<ActivityJournal>();

    public ModelActivities Models => services.GetRequiredService<ModelActivities>();

    public IChatClient Chat => services.GetRequiredService<IChatClient>();

    public static AgentHost Start(Func<ChatRequestSeen, ScriptedReply> script) => new(new ScriptedChatEndpoint(script));

    /// <summary>
    /// Worker options with the model and tool activities. No workflow cache: every task replays from history, and
    /// the time-skipping server never moves a stopped worker's sticky queue to another worker.
    /// </summary>
    public TemporalWorkerOptions Worker(string queue) => new TemporalWorkerOptions(queue) { MaxCachedWorkflows = 0 }
        .AddAllActivities(services.GetRequiredService<ModelActivities>())
        .AddAllActivities(services.GetRequiredService<ToolActivities>());

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Endpoint.DisposeAsync();
    }
}
