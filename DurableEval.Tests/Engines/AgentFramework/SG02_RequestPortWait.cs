using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// Waiting for outside input with a RequestPort: the run halts at the request with nothing downstream run; after a
    /// restart (the waiting run abandoned, a fresh checkpoint manager resuming the latest checkpoint) the response
    /// arrives and the run continues with it.
    /// </summary>
    [SkippableFact]
    [Criterion("SG-02", Engine = Engine)]
    public async Task SG02_RequestPortWait()
    {
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("pauses-for-response", $"The run halts at the '{ApprovalWorkflow.PortId}' RequestPort: a RequestInfoEvent carries the order, the executor after the port has not run, no output, status PendingRequests"),
                Core("response-resumes-run", "After a restart from the checkpoint taken while waiting, the response is delivered and the run yields the verdict computed from it; the executor before the port ran once in all"),
                Core("wait-deadline", "A wait can carry a deadline that ends it without a response"),
            ],
            async checks =>
            {
                var order = $"order-{Guid.NewGuid():N}"[..14];
                var decision = new ApprovalDecision(true, $"alice-{order[6..10]}");
                var o = await ApprovalRun.RunAsync(order, decision, restart: true, answerOnPort: null, checks.Cancellation);
                checks.Expect("pauses-for-response", o.Paused && o.StatusWhileWaiting == Microsoft.Agents.AI.Workflows.RunStatus.PendingRequests, o.DescribePause());
                checks.Expect("response-resumes-run", o.Output == o.Expected && o.SubmitRuns == 1 && o.DecideRuns == 1, o.DescribeEnd());
                checks.NotRun(
                    "wait-deadline",
                    "Agent Framework 1.28.0 has no deadline on a wait: RequestPort.Create<TRequest, TResponse>(id) takes only an id, and IWorkflowContext offers "
                    + "no timer; a deadline is the application's (its own clock, then a response or a cancelled run)");
            });

        fact.Finding(LeftToTheUser);
        fact.Cite("A RequestPort emits a RequestInfoEvent; the workflow waits until the external system sends a response back with SendResponseAsync.", RequestsDoc);
        fact.Cite("Checkpoints include pending requests, so a waiting workflow can be restored and answered later.", CheckpointsDoc);
        fact.Conclude();
    }
}
