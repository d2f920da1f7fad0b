using DurableEval.Tests.Evidence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Exceptions;

namespace DurableEval.Tests.Servers;

/// <summary>A server feature some checks need and some servers lack (or turn off, or refuse to this client).</summary>
public enum ServerFeature
{
    Schedules,
    Reset,
    NamespaceRegistration,
    WorkerDeployments,
    ActivityPause,
    Visibility,
    ClusterInfo,
    Deletion,
}

/// <summary>What a probe concluded: the feature is there, the server lacks it, or the probe itself went wrong.</summary>
public enum FeatureState
{
    Available,
    Lacking,
    ProbeError,
}

/// <summary>A probe's verdict and the one line that says why; the line is the "not run" reason when the feature is lacking.</summary>
public sealed record FeatureAvailability(FeatureState State, string Reason);

/// <summary>
/// One recorded answer to a probe call: the call's name, the gRPC status code (null when it succeeded) and the
/// message. <paramref name="AimedAtNothing"/> says the call named an object that does not exist on purpose, so
/// that NotFound (or InvalidArgument about that object) proves the method is served.
/// </summary>
public sealed record ProbeAnswer(string Call, RpcException.StatusCode? Code, string Message, bool AimedAtNothing)
{
    public static ProbeAnswer Of(string call, Exception? error, bool aimedAtNothing) => error switch
    {
        null => new ProbeAnswer(call, null, string.Empty, aimedAtNothing),
        RpcException rpc => new ProbeAnswer(call, rpc.Code, ServerFixture.OneLine(rpc.Message), aimedAtNothing),
        _ => new ProbeAnswer(call, RpcException.StatusCode.Unknown, $"{error.GetType().Name}: {ServerFixture.OneLine(error.Message)}", aimedAtNothing),
    };
}

/// <summary>
/// Probe-then-skip, as temporalio/features does it: before checks that need a server feature, ask the server
/// with a cheap call and read its answer. A lacking feature makes the checks "not run: this server lacks it";
/// "failed" is kept for a feature that exists and misbehaves.
/// </summary>
public static class FeatureProbe
{
    public static string NameOf(ServerFeature feature) => feature switch
    {
        ServerFeature.Schedules => "schedules",
        ServerFeature.Reset => "workflow reset",
        ServerFeature.WorkerDeployments => "worker deployment versioning",
        ServerFeature.ActivityPause => "activity pause (the activity operator APIs)",
        ServerFeature.Visibility => "visibility (list and count of workflows)",
        ServerFeature.ClusterInfo => "cluster information (GetClusterInfo)",
        ServerFeature.Deletion => "workflow deletion",
        _ => "namespace registration",
    };

    /// <summary>
    /// The decision, pure. Unimplemented: the method is not served (the Java test server's "Method ... is
    /// unimplemented"). PermissionDenied: the feature is turned off on the namespace ("Schedules are disabled on
    /// this namespace") or refused to this client (Temporal Cloud registers namespaces only through its control
    /// plane) — either way this client cannot use it here, which is not the feature misbehaving. NotFound: the
    /// method is served when the call aimed at nothing on purpose; otherwise it names something the call needed
    /// (most often a wrong namespace), which says nothing about the feature. That, and anything else (Unavailable, Internal, a rate limit's ResourceExhausted, a timeout) says nothing
    /// about the feature: the probe went wrong, and the checks run and judge for themselves.
    /// </summary>
    public static FeatureAvailability Decide(ServerFeature feature, string serverName, ProbeAnswer answer)
    {
        var name = NameOf(feature);
        var said = answer.Message.Length == 0 ? "with an empty message" : $"\"{answer.Message}\"";
        var lacking = $"this {serverName} lacks {name}: {answer.Call} answered {answer.Code} {said}";
        return answer.Code switch
        {
            null => new(FeatureState.Available, $"{answer.Call} succeeded"),
            RpcException.StatusCode.Unimplemented => new(FeatureState.Lacking, lacking),
            RpcException.StatusCode.PermissionDenied => new(FeatureState.Lacking, $"this {serverName} refuses {name} to this client: {answer.Call} answered PermissionDenied {said}"),
            RpcException.StatusCode.NotFound or RpcException.StatusCode.InvalidArgument when answer.AimedAtNothing =>
                new(FeatureState.Available, $"{answer.Call} is served (it answered {answer.Code} for an object that does not exist, as it should)"),
            _ => new(FeatureState.ProbeError, $"the {name} probe was inconclusive: {answer.Call} answered {answer.Code} {said}"),
        };
    }

    /// <summary>
    /// Probes <paramref name="feature"/> on the lease's server before the checks that need it. When it is lacking,
    /// every check of the block not yet recorded is recorded "not run" with the reason, and false is returned: the
    /// block returns. An inconclusive probe lets the checks run (they fail if the feature misbehaves).
    /// </summary>
    public static async Task<bool> RequireAsync(this CheckScope checks, ServerLease server, ServerFeature feature, Action<string>? log = null)
    {
        var answer = await AskAsync(server, feature, checks.Cancellation);
        return Apply(checks, server, feature, answer, log);
    }

    /// <summary>The verdict alone, for a block in which only some checks need the feature (they record "not run" themselves).</summary>
    public static async Task<FeatureAvailability> ProbeAsync(ServerLease server, ServerFeature feature, CancellationToken cancellation) =>
        Decide(feature, ServerNames.Of(server.Kind), await AskAsync(server, feature, cancellation));

    /// <summary>
    /// For a feature no call can probe without using it (registering a namespace is the only way to learn
    /// whether registration is allowed): makes the first real call and reads its answer the same way. Returns
    /// false (checks recorded "not run") when the server lacks the feature; rethrows any other failure.
    /// </summary>
    public static async Task<bool> FirstUseAsync(this CheckScope checks, ServerLease server, ServerFeature feature, string call, Func<Task> use, Action<string>? log = null)
    {
        try
        {
            await use();
            return true;
        }
        catch (RpcException e)
        {
            var verdict = Decide(feature, ServerNames.Of(server.Kind), ProbeAnswer.Of(call, e, aimedAtNothing: false));
            if (verdict.State != FeatureState.Lacking)
            {
                throw;
            }

            checks.NotRunRemaining(verdict.Reason);
            log?.Invoke(verdict.Reason);
            return false;
        }
    }

    internal static bool Apply(CheckScope checks, ServerLease server, ServerFeature feature, ProbeAnswer answer, Action<string>? log)
    {
        var verdict = Decide(feature, ServerNames.Of(server.Kind), answer);
        log?.Invoke($"probe {NameOf(feature)}: {verdict.State}: {verdict.Reason}");
        if (verdict.State != FeatureState.Lacking)
        {
            return true;
        }

        checks.NotRunRemaining(verdict.Reason);
        return false;
    }

    private static async Task<ProbeAnswer> AskAsync(ServerLease server, ServerFeature feature, CancellationToken cancellation)
    {
        var service = server.Client.WorkflowService;
        var ns = server.Client.Options.Namespace;
        var rpc = new Temporalio.Client.RpcOptions { Retry = false, Timeout = TimeSpan.FromSeconds(10), CancellationToken = cancellation };
        switch (feature)
        {
            case ServerFeature.Schedules:
                // Lists at most one schedule: served and allowed wherever CreateSchedule is.
                return ProbeAnswer.Of("ListSchedules", await Observe.FailureOfAsync(() => service.ListSchedulesAsync(new ListSchedulesRequest { Namespace = ns, MaximumPageSize = 1 }, rpc)), aimedAtNothing: false);
            case ServerFeature.Reset:
                // Resets a workflow that does not exist: NotFound from a server that serves reset, Unimplemented from one that does not.
                return ProbeAnswer.Of("ResetWorkflowExecution", await Observe.FailureOfAsync(() => service.ResetWorkflowExecutionAsync(new ResetWorkflowExecutionRequest
                {
                    Namespace = ns,
                    WorkflowExecution = new WorkflowExecution { WorkflowId = server.NewId("reset-probe-absent") },
                    WorkflowTaskFinishEventId = 3,
                    Reason = "DurableEval: probe whether reset is served",
                    RequestId = Guid.NewGuid().ToString(),
                }, rpc)), aimedAtNothing: true);
            case ServerFeature.WorkerDeployments:
                // Describes a deployment that does not exist: NotFound where deployments are served, Unimplemented
                // where the method is not, PermissionDenied where they are turned off ("deployments are disabled").
                return ProbeAnswer.Of("DescribeWorkerDeployment", await Observe.FailureOfAsync(() => service.DescribeWorkerDeploymentAsync(new DescribeWorkerDeploymentRequest
                {
                    Namespace = ns,
                    DeploymentName = server.NewId("deployment-probe-absent"),
                }, rpc)), aimedAtNothing: true);
            case ServerFeature.ActivityPause:
                // Pauses an activity of a workflow that does not exist: NotFound where the activity APIs are served.
                return ProbeAnswer.Of("PauseActivity", await Observe.FailureOfAsync(() => service.PauseActivityAsync(new PauseActivityRequest
                {
                    Namespace = ns,
                    Execution = new WorkflowExecution { WorkflowId = server.NewId("pause-probe-absent") },
                    Type = "DurableEvalProbe",
                    Reason = "DurableEval: probe whether activity pause is served",
                }, rpc)), aimedAtNothing: true);
            case ServerFeature.Visibility:
                // Lists at most one workflow: served wherever list and count queries are.
                return ProbeAnswer.Of("ListWorkflowExecutions", await Observe.FailureOfAsync(() => service.ListWorkflowExecutionsAsync(new ListWorkflowExecutionsRequest { Namespace = ns, PageSize = 1 }, rpc)), aimedAtNothing: false);
            case ServerFeature.ClusterInfo:
                return ProbeAnswer.Of("GetClusterInfo", await Observe.FailureOfAsync(() => service.GetClusterInfoAsync(new GetClusterInfoRequest(), rpc)), aimedAtNothing: false);
            default:
                throw new ArgumentOutOfRangeException(nameof(feature), feature, "probed by its first use (FirstUseAsync)");
        }
    }
}
