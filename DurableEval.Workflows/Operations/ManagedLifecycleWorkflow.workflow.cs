using Temporalio.Workflows;

namespace DurableEval.Workflows.Operations;

/// <summary>
/// A long-lived order a client manages from outside: items arrive by signal, the priority changes by update (which
/// returns a value computed from workflow state), a query reads the state, and a closing signal makes the run
/// return a summary computed from everything it received. Nothing here is fixed in advance, so the fact can check
/// each management operation against what it must return.
/// </summary>
[Workflow]
public class ManagedLifecycleWorkflow
{
    private readonly List<string> items = [];
    private string owner = string.Empty;
    private int priority;
    private bool closed;

    [WorkflowQuery]
    public LifecycleState State => new(owner, [.. items], priority, closed);

    [WorkflowRun]
    public async Task<string> RunAsync(string orderOwner)
    {
        owner = orderOwner;
        await Workflow.WaitConditionAsync(() => closed);
        return Summary(orderOwner, items, priority);
    }

    [WorkflowSignal]
    public Task AddItemAsync(string item)
    {
        items.Add(item);
        return Task.CompletedTask;
    }

    [WorkflowSignal]
    public Task CloseAsync()
    {
        closed = true;
        return Task.CompletedTask;
    }

    /// <summary>Sets the priority and returns the one it replaced together with the items held at that moment.</summary>
    [WorkflowUpdate]
    public Task<string> ReprioritizeAsync(int newPriority)
    {
        var previous = priority;
        priority = newPriority;
        return Task.FromResult(UpdateReply(previous, newPriority, items.Count));
    }

    /// <summary>What the run returns; public so the fact computes its expectation from the same inputs it sent.</summary>
    public static string Summary(string owner, IReadOnlyList<string> items, int priority) =>
        $"{owner}: {string.Join(",", items)} @ priority {priority}";

    /// <summary>What the update returns; public so the fact computes its expectation independently of the run.</summary>
    public static string UpdateReply(int previous, int next, int itemCount) => $"priority {previous}->{next} with {itemCount} item(s)";
}

/// <summary>What a query sees: the owner from the start input, the signalled items, the updated priority, and whether it closed.</summary>
public sealed record LifecycleState(string Owner, IReadOnlyList<string> Items, int Priority, bool Closed);
