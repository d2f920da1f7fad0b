using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace DurableEval.Workflows.Agents;

/// <summary>
/// A durable agent loop: each model turn is an activity (Microsoft Agent Framework inside), each proposed tool call
/// is an activity of the tool's own type with the tool's own retry and timeout options, and the results go back to
/// the model until it answers. The transcript is workflow state, so a new worker resumes the loop from history.
/// </summary>
[Workflow]
public class DurableAgentWorkflow
{
    private readonly List<AgentMessage> transcript = [];
    private readonly List<ToolObservation> observations = [];
    private bool resumed;

    [WorkflowQuery]
    public int CompletedTurns { get; private set; }

    [WorkflowRun]
    public async Task<AgentOutcome> RunAsync(AgentRequest request)
    {
        transcript.Add(AgentMessage.User(request.Goal));
        for (var turn = 1; turn <= request.MaxTurns; turn++)
        {
            var reply = await Workflow.ExecuteActivityAsync(
                (ModelActivities m) => m.AgentTurnAsync(new AgentTurnInput(request.Instructions, request.Tools, transcript.ToList())), ModelCallOptions.Default);
            if (reply.Calls.Count == 0)
            {
                CompletedTurns = turn;
                return new(reply.Text, turn, true, observations);
            }

            transcript.Add(AgentMessage.Assistant(reply.Calls));

            // One tool at a time, in the model's order: deterministic, and each call is one activity in history.
            foreach (var call in reply.Calls)
            {
                var observation = await RunToolAsync(call);
                observations.Add(new(call.Name, observation));
                transcript.Add(AgentMessage.ToolResult(call.CallId, observation));
            }

            CompletedTurns = turn;
            if (request.PauseAfterTurn == turn)
            {
                await Workflow.WaitConditionAsync(() => resumed);
            }
        }

        return new("", request.MaxTurns, false, observations);
    }

    [WorkflowSignal]
    public Task ResumeAsync()
    {
        resumed = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// A tool failure becomes an observation for the model rather than a failed run; a timed-out tool with a
    /// fallback runs the fallback instead.
    /// </summary>
    private static async Task<string> RunToolAsync(ToolCallRequest call)
    {
        var policy = ToolPolicies.For(call.Name);
        try
        {
            return await Workflow.ExecuteActivityAsync<string>(call.Name, [call.ArgumentsJson], policy.Options);
        }
        catch (ActivityFailureException e) when (e.InnerException is TimeoutFailureException && policy.Fallback is not null)
        {
            return await Workflow.ExecuteActivityAsync<string>(policy.Fallback, [call.ArgumentsJson], ToolPolicies.For(policy.Fallback).Options);
        }
        catch (ActivityFailureException e)
        {
            var cause = e.InnerException;
            var type = cause is ApplicationFailureException app ? app.ErrorType : cause?.GetType().Name;
            return $"error ({type}): {cause?.Message ?? e.Message}";
        }
    }
}

/// <summary>Per-tool activity options: how often a tool is retried, how long it may take, and its fallback.</summary>
public sealed record ToolPolicy(ActivityOptions Options, string? Fallback = null);

public static class ToolPolicies
{
    /// <summary>How long the hung tool is given (real time on the time-skipping server, so kept short).</summary>
    public static readonly TimeSpan HungToolTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Attempts allowed to every tool; the non-retryable error must stop at one regardless.</summary>
    public const int MaxAttempts = 5;

    public static ToolPolicy For(string tool) => tool switch
    {
        AgentToolbox.SlowPricing => new(new()
        {
            StartToCloseTimeout = HungToolTimeout,
            RetryPolicy = new RetryPolicy { MaximumAttempts = 1 },
        }, AgentToolbox.CachedPricing),
        _ => new(new()
        {
            StartToCloseTimeout = TimeSpan.FromSeconds(10),
            RetryPolicy = new RetryPolicy
            {
                InitialInterval = TimeSpan.FromSeconds(1),
                BackoffCoefficient = 2,
                MaximumAttempts = MaxAttempts,
                NonRetryableErrorTypes = ["InvalidArguments"],
            },
        }),
    };
}
