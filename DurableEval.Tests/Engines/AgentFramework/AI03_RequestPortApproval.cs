using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Workflows.AgentFramework;
using Xunit;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.AgentFramework;

public sealed partial class AgentFrameworkFacts
{
    /// <summary>
    /// Human approval through a RequestPort: the action waits for the decision, an approval and a rejection each
    /// reach the output, a response sent to the wrong port is refused, and the approval survives a restart.
    /// </summary>
    [SkippableFact]
    [Criterion("AI-03", Engine = Engine)]
    public async Task AI03_RequestPortApproval()
    {
        var fact = Begin();
        await fact.HostedAsync(
            AgentFrameworkHostInfo.InProcess,
            [
                Core("approval-gates-action", "Until the decision arrives, the executor after the port has not run and the run yields nothing"),
                Core("approve", "An approval reaches the output: '<order> approved by <reviewer>', the reviewer the response named"),
                Core("reject", "A rejection reaches the output: '<order> rejected by <reviewer>'"),
                Edge("misrouted-response-refused", "A response addressed to another port is refused with an error and the executor after the port does not run"),
                Production("approval-survives-restart", "Approved after a restart from the checkpoint taken while waiting: the run yields the approval, the step before the port ran once"),
                Core("timeout-path", $"With no decision within a {DeadlineMs} ms window (real time), the run completes on its timeout path: '<order> rejected by deadline'"),
            ],
            async checks =>
            {
                var tag = Guid.NewGuid().ToString("N")[..6];
                var approve = new ApprovalDecision(true, $"alice-{tag}");
                var approved = await ApprovalRun.RunAsync($"order-a-{tag}", approve, restart: false, answerOnPort: null, checks.Cancellation);
                checks.Expect("approval-gates-action", approved.Paused, approved.DescribePause());
                checks.Expect("approve", approved.ContinuedWithResponse, approved.DescribeEnd());

                var reject = new ApprovalDecision(false, $"bob-{tag}");
                var rejected = await ApprovalRun.RunAsync($"order-r-{tag}", reject, restart: false, answerOnPort: null, checks.Cancellation);
                checks.Expect("reject", rejected.ContinuedWithResponse, rejected.DescribeEnd());

                var misrouted = await ApprovalRun.RunAsync($"order-m-{tag}", approve, restart: false, answerOnPort: "another-port", checks.Cancellation);
                checks.Expect(
                    "misrouted-response-refused",
                    misrouted.Output is null && misrouted.Error is not null && misrouted.DecideRuns == 0,
                    $"response on port 'another-port': {misrouted.DescribeEnd()}");

                var restarted = await ApprovalRun.RunAsync($"order-s-{tag}", approve, restart: true, answerOnPort: null, checks.Cancellation);
                checks.Expect("approval-survives-restart", restarted.ContinuedWithResponse, restarted.DescribeEnd());

                var timeout = new ApprovalDecision(false, "deadline");
                var timedOut = await ApprovalRun.RunAsync($"order-t-{tag}", timeout, restart: false, answerOnPort: null, checks.Cancellation, TimeSpan.FromMilliseconds(DeadlineMs));
                checks.Expect(
                    "timeout-path",
                    timedOut.Paused && timedOut.ContinuedWithResponse && timedOut.AnsweredAfterMilliseconds >= DeadlineMs - TimerResolutionMs,
                    $"no decision window in the framework (no deadline on a RequestPort wait, no timer in IWorkflowContext): the application's own timer answered after "
                    + $"{timedOut.AnsweredAfterMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} ms; {timedOut.DescribeEnd()}");
            });

        fact.Finding(LeftToTheUser);
        fact.Cite("Human-in-the-loop: an executor sends a request through a RequestPort, the run emits a RequestInfoEvent, and the response is routed back to the requesting executor.", RequestsDoc);
        fact.Conclude();
    }
}
