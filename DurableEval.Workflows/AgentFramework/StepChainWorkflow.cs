using System.Globalization;
using DurableEval.Workflows.Shared;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Workflows.AgentFramework;

/// <summary>
/// What travels along the chain: the run's own name and number (an executor is told nothing about the run it is
/// in, so the application carries them in the message) and the results of the steps done so far.
/// </summary>
public sealed record StepToken(string Session, int Index, string Trail);

/// <summary>
/// Where a step reports each raw execution: the start before any work, the completion after it. The worker
/// process writes them to the shared <see cref="StepJournal"/>; in-process facts count them in memory.
/// </summary>
public interface IStepRecorder
{
    /// <summary>A raw execution of <paramref name="step"/> of <paramref name="session"/> begins; returns its execution id.</summary>
    string Started(string session, int step, string executorId);

    /// <summary>That execution finished its work.</summary>
    void Completed(string session, int step, string executorId, string execution);

    /// <summary>Awaited between start and completion: the step's real work time (a kill or a hold lands here).</summary>
    Task WorkAsync(string session, int step, CancellationToken cancellation);
}

/// <summary>
/// A chain of journaled steps, one executor per step and so one superstep (and one checkpoint) per step, then an
/// output executor that yields the trail. Step s of run i appends <see cref="JournaledStepActivities.StepResult"/>,
/// the same result the Temporal protocol's steps return, so the expected output is computed from the inputs alone.
/// </summary>
public static class StepChainWorkflow
{
    public const string OutputExecutorId = "output";

    /// <summary>Executor id of step <paramref name="step"/>; <paramref name="renamed"/> renames the last step (a changed graph).</summary>
    public static string StepId(int step, bool renamed = false) =>
        string.Create(CultureInfo.InvariantCulture, $"step{step}{(renamed ? "-renamed" : string.Empty)}");

    /// <summary>
    /// The chain of <paramref name="steps"/> steps. <paramref name="variant"/> changes the steps' code without
    /// changing any id (a new release with different logic); <paramref name="renameLast"/> changes the graph.
    /// </summary>
    public static Workflow Build(int steps, IStepRecorder recorder, string variant = "", bool renameLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var bindings = Enumerable.Range(1, steps)
            .Select(s => (ExecutorBinding)new JournaledStepExecutor(StepId(s, renameLast && s == steps), s, recorder, variant))
            .ToList();
        ExecutorBinding output = new TrailOutputExecutor();
        var builder = new WorkflowBuilder(bindings[0]);
        for (var i = 1; i < bindings.Count; i++)
        {
            builder.AddEdge(bindings[i - 1], bindings[i]);
        }

        return builder.AddEdge(bindings[^1], output).WithOutputFrom(output).Build();
    }

    /// <summary>The output run <paramref name="index"/> must yield after <paramref name="steps"/> steps of code <paramref name="variant"/>.</summary>
    public static string Expected(int index, int steps, string variant = "") =>
        string.Join(",", Enumerable.Range(1, steps).Select(s => StepResult(index, s, variant)));

    /// <summary>What step <paramref name="step"/> of run <paramref name="index"/> adds to the trail.</summary>
    public static string StepResult(int index, int step, string variant) => JournaledStepActivities.StepResult(index, step) + variant;

    /// <summary>The first message of run <paramref name="index"/>.</summary>
    public static StepToken Start(string session, int index) => new(session, index, string.Empty);
}

/// <summary>One step: records its raw execution, works, records its completion, appends its result.</summary>
internal sealed class JournaledStepExecutor(string id, int step, IStepRecorder recorder, string variant) : Executor<StepToken, StepToken>(id)
{
    public override async ValueTask<StepToken> HandleAsync(StepToken message, IWorkflowContext context, CancellationToken cancellationToken = default)
    {
        var execution = recorder.Started(message.Session, step, Id);
        await recorder.WorkAsync(message.Session, step, cancellationToken).ConfigureAwait(false);
        recorder.Completed(message.Session, step, Id, execution);
        var result = StepChainWorkflow.StepResult(message.Index, step, variant);
        return message with { Trail = message.Trail.Length == 0 ? result : $"{message.Trail},{result}" };
    }
}

/// <summary>Yields the trail as the run's output.</summary>
internal sealed class TrailOutputExecutor() : Executor<StepToken, string>(StepChainWorkflow.OutputExecutorId)
{
    public override ValueTask<string> HandleAsync(StepToken message, IWorkflowContext context, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(message.Trail);
}
