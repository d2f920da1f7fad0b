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
    private const int DeadlineMs = 300;

    // Task.Delay may end a timer tick before the Stopwatch says the delay has passed.
    private const int TimerResolutionMs = 16;

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
                Core("wait-deadline", $"A wait with a {DeadlineMs} ms deadline (real time: the framework has no clock of its own) ends at the deadline and the run continues on its timeout path"),
            ],
            async checks =>
            {
                var order = $"order-{Guid.NewGuid():N}"[..14];
                var decision = new ApprovalDecision(true, $"alice-{order[6..10]}");
                var o = await ApprovalRun.RunAsync(order, decision, restart: true, answerOnPort: null, checks.Cancellation);
                checks.Expect("pauses-for-response", o.Paused && o.StatusWhileWaiting == Microsoft.Agents.AI.Workflows.RunStatus.PendingRequests, o.DescribePause());
                checks.Expect("response-resumes-run", o.ContinuedWithResponse, o.DescribeEnd());

                // The framework gives a wait no deadline (RequestPort.Create takes only an id; IWorkflowContext has no
                // timer), so the deadline is the application's: its own timer answers the pending request.
                var timeout = new ApprovalDecision(false, "deadline");
                var timedOut = await ApprovalRun.RunAsync($"order-t-{order[6..14]}", timeout, restart: false, answerOnPort: null, checks.Cancellation, TimeSpan.FromMilliseconds(DeadlineMs));
                checks.Expect(
                    "wait-deadline",
                    timedOut.Paused && timedOut.ContinuedWithResponse && timedOut.AnsweredAfterMilliseconds >= DeadlineMs - TimerResolutionMs,
                    $"no deadline in the framework: the application's timer answered the pending request after {timedOut.AnsweredAfterMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} ms with a timeout decision; {timedOut.DescribeEnd()}");
            });

        fact.Finding(LeftToTheUser);
        fact.Cite("A RequestPort emits a RequestInfoEvent; the workflow waits until the external system sends a response back with SendResponseAsync.", RequestsDoc);
        fact.Cite("Checkpoints include pending requests, so a waiting workflow can be restored and answered later.", CheckpointsDoc);
        fact.Conclude();
    }
}
