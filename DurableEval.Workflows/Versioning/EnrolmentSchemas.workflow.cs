using Temporalio.Workflows;

namespace DurableEval.Workflows.Versioning;

/// <summary>The enrolment input as v1 wrote it.</summary>
public sealed record EnrolmentV1(string StudentId, string Course, string LegacyCode);

/// <summary>The input as v2 reads it: LegacyCode removed, two optional members added with defaults.</summary>
public sealed record EnrolmentV2(string StudentId, string Course, string? Note = null, int Priority = 1);

/// <summary>A v2 variant that renamed StudentId to LearnerId: the kind of change JSON drops silently.</summary>
public sealed record EnrolmentRenamed(string LearnerId, string Course);

/// <summary>
/// v1 of the enrolment workflow: takes <see cref="EnrolmentV1"/>, waits for confirmation, reports what it read.
/// </summary>
[Workflow(TypeName)]
public class EnrolmentWorkflowV1
{
    public const string TypeName = "Enrolment";

    private bool confirmed;

    [WorkflowQuery]
    public string Stage { get; private set; } = "started";

    [WorkflowRun]
    public async Task<string> RunAsync(EnrolmentV1 enrolment)
    {
        Stage = "waiting";
        await Workflow.WaitConditionAsync(() => confirmed);
        return $"{enrolment.StudentId}/{enrolment.Course}/legacy={enrolment.LegacyCode}";
    }

    [WorkflowSignal]
    public Task ConfirmAsync()
    {
        confirmed = true;
        return Task.CompletedTask;
    }
}

/// <summary>
/// v2, deployed while v1 runs wait: the same type name, its input now <see cref="EnrolmentV2"/>. A run started
/// with a v1 payload is replayed from history with this type, so the old payload must decode into it.
/// </summary>
[Workflow(EnrolmentWorkflowV1.TypeName)]
public class EnrolmentWorkflowV2
{
    private bool confirmed;

    [WorkflowQuery]
    public string Stage { get; private set; } = "started";

    [WorkflowRun]
    public async Task<string> RunAsync(EnrolmentV2 enrolment)
    {
        Stage = "waiting";
        await Workflow.WaitConditionAsync(() => confirmed);
        return Describe(enrolment);
    }

    [WorkflowSignal]
    public Task ConfirmAsync()
    {
        confirmed = true;
        return Task.CompletedTask;
    }

    public static string Describe(EnrolmentV2 enrolment) =>
        $"{enrolment.StudentId}/{enrolment.Course}/note={enrolment.Note ?? "none"}/priority={enrolment.Priority}";
}
