using DurableEval.Tests.Evidence;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;

namespace DurableEval.Tests.Criteria;

/// <summary>
/// The raw worker-deployment RPCs (.NET has no high-level client for them), called as sdk-dotnet's own
/// WorkerDeploymentVersioningTests do: wait until a polling worker's version is registered, then make it current
/// with the deployment's conflict token. Dev or external servers only; the time-skipping server leaves them
/// unimplemented.
/// </summary>
public static class WorkerDeployments
{
    /// <summary>Describes the deployment once the version shows up in it (workers register it by polling).</summary>
    public static async Task<DescribeWorkerDeploymentResponse?> WaitVisibleAsync(ITemporalClient client, WorkerDeploymentVersion version, CancellationToken cancellation)
    {
        DescribeWorkerDeploymentResponse? described = null;
        var visible = await Eventually.HoldsAsync(
            async () =>
            {
                described = await client.Connection.WorkflowService.DescribeWorkerDeploymentAsync(new DescribeWorkerDeploymentRequest
                {
                    Namespace = client.Options.Namespace,
                    DeploymentName = version.DeploymentName,
                });
                return described.WorkerDeploymentInfo.VersionSummaries.Any(s => s.DeploymentVersion?.BuildId == version.BuildId);
            },
            Observe.Bound,
            cancellation);
        return visible ? described : null;
    }

    /// <summary>Makes the version current: new runs go to it, and auto-upgrade runs move to it.</summary>
    public static async Task SetCurrentAsync(ITemporalClient client, WorkerDeploymentVersion version, CancellationToken cancellation)
    {
        var described = await WaitVisibleAsync(client, version, cancellation)
            ?? throw new InvalidOperationException($"deployment version {version.DeploymentName}.{version.BuildId} never became visible within {Observe.Bound.TotalSeconds:0} s");
        await client.Connection.WorkflowService.SetWorkerDeploymentCurrentVersionAsync(new SetWorkerDeploymentCurrentVersionRequest
        {
            Namespace = client.Options.Namespace,
            DeploymentName = version.DeploymentName,
            BuildId = version.BuildId,
            ConflictToken = described.ConflictToken,
        });
    }
}
