using System.Collections.Concurrent;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>What the workflow asks a human: approve this order.</summary>
public sealed record ApprovalRequest(string Order);

/// <summary>What the human answers.</summary>
public sealed record ApprovalDecision(bool Approved, string By);

/// <summary>Counts executor invocations by executor id, from outside the workflow, so a re-run after a restore is visible.</summary>
public sealed class ExecutorCounter
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public void Hit(string executorId) => counts.AddOrUpdate(executorId, 1, (_, n) => n + 1);

    public int this[string executorId] => counts.GetValueOrDefault(executorId);
}

/// <summary>
/// Human-in-the-loop through a <see cref="RequestPort"/>: "submit" keeps the order in workflow state and sends an
/// <see cref="ApprovalRequest"/> to the port, which surfaces it as a RequestInfoEvent and halts; the response (an
/// <see cref="ApprovalDecision"/>) goes to "decide", which reads the order back from state and yields the verdict.
/// The order in state crosses the checkpoint, so a run restored while waiting still knows what it asked.
/// </summary>
public static class ApprovalWorkflow
{
    public const string PortId = "approval";
    public const string SubmitId = "submit";
    public const string DecideId = "decide";
    private const string OrderKey = "order";

    // Without a scope name, state is private to the executor that wrote it; the order is shared between two.
    private const string SharedScope = "approval";

    public static Workflow Build(ExecutorCounter counter)
    {
        var port = RequestPort.Create<ApprovalRequest, ApprovalDecision>(PortId);
        ExecutorBinding submit = new SubmitExecutor(counter);
        ExecutorBinding decide = new DecideExecutor(counter);
        return new WorkflowBuilder(submit).AddEdge(submit, port).AddEdge(port, decide).WithOutputFrom(decide).Build();
    }

    /// <summary>The output for <paramref name="order"/> decided by <paramref name="decision"/>.</summary>
    public static string Verdict(string order, ApprovalDecision decision) =>
        $"{order} {(decision.Approved ? "approved" : "rejected")} by {decision.By}";

    private sealed class SubmitExecutor(ExecutorCounter counter) : Executor<string, ApprovalRequest>(SubmitId)
    {
        public override async ValueTask<ApprovalRequest> HandleAsync(string message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            counter.Hit(Id);
            await context.QueueStateUpdateAsync(OrderKey, message, SharedScope, cancellationToken).ConfigureAwait(false);
            return new ApprovalRequest(message);
        }
    }

    private sealed class DecideExecutor(ExecutorCounter counter) : Executor<ApprovalDecision, string>(DecideId)
    {
        public override async ValueTask<string> HandleAsync(ApprovalDecision message, IWorkflowContext context, CancellationToken cancellationToken = default)
        {
            counter.Hit(Id);
            var order = await context.ReadStateAsync<string>(OrderKey, SharedScope, cancellationToken).ConfigureAwait(false);
            return Verdict(order ?? "(order lost)", message);
        }
    }
}
