using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Reporting;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Primitives;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;
using ClosePolicy = Temporalio.Workflows.ParentClosePolicy;

namespace DurableEval.Tests.Criteria;

/// <summary>Observations and helpers shared by the WorkflowPrimitivesFacts facts.</summary>
public sealed partial class WorkflowPrimitivesFacts
{
    private sealed record FanOutRun(IReadOnlyList<BranchOutcome> Outcomes, ConcurrencyProbe Probe, WorkflowHandle Handle, TimeSpan Elapsed);

    /// <summary>Runs the fan-out workflow on a fresh queue and worker whose activities report to a new probe.</summary>
    private static async Task<FanOutRun> FanOutAsync(
        ServerLease server, string purpose, FanOutInput input, int releaseAt, TimeSpan hold, Action<TemporalWorkerOptions>? tune = null)
    {
        var probe = new ConcurrencyProbe(releaseAt);
        var queue = server.NewTaskQueue(purpose);
        var options = new TemporalWorkerOptions(queue)
            .AddWorkflow<FanOutCollectsEveryBranchWorkflow>()
            .AddAllActivities(new FanOutActivities(probe, hold));
        tune?.Invoke(options);
        await using var worker = RunningWorker.Start(server.Client, options);
        var clock = Stopwatch.StartNew();
        var handle = await server.Client.StartWorkflowAsync((FanOutCollectsEveryBranchWorkflow w) => w.RunAsync(input), server.Options(purpose, queue));
        var outcomes = await handle.GetResultAsync();
        return new(outcomes, probe, handle, clock.Elapsed);
    }

    /// <summary>Time from the first activity start to the last, as the activities themselves observed it.</summary>
    private static TimeSpan StartSpan(ConcurrencyProbe probe) =>
        probe.StartOffsetsMs.Count < 2 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(probe.StartOffsetsMs[^1] - probe.StartOffsetsMs[0]);

    /// <summary>What the SDK exposes for priority and fairness, read by reflection so the finding follows the SDK version.</summary>
    private static string PrioritySurface()
    {
        var assembly = typeof(Priority).Assembly.GetName();
        var fields = typeof(Priority).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => $"{p.Name} ({TypeName(p.PropertyType)})");
        var carriers = new[] { typeof(WorkflowOptions), typeof(ChildWorkflowOptions), typeof(ActivityOptions), typeof(WorkflowInfo), typeof(ActivityInfo) }
            .Where(t => t.GetProperty(nameof(WorkflowOptions.Priority))?.PropertyType == typeof(Priority))
            .Select(t => t.Name);
        var limits = typeof(TemporalWorkerOptions).GetProperties()
            .Where(p => p.Name.StartsWith("Max", StringComparison.Ordinal) && (p.Name.EndsWith("Activities", StringComparison.Ordinal) || p.Name.EndsWith("ActivitiesPerSecond", StringComparison.Ordinal)))
            .Select(p => p.Name);
        return $"Priority support in {assembly.Name} {assembly.Version}: {typeof(Priority).FullName} carries {string.Join(", ", fields)}; "
            + $"set or read through {string.Join(", ", carriers)}. Rate and concurrency controls on TemporalWorkerOptions: {string.Join(", ", limits)}. "
            + "Priority and fairness ordering and the task-queue-wide rate are enforced by the server's matching service, so they are measured only on a full server.";
    }

    private static string TypeName(Type type) => Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?" : type.Name;

    private static string Utf8(Temporalio.Api.Common.V1.Payloads payloads) =>
        string.Concat(payloads.Payloads_.Select(p => Encoding.UTF8.GetString(p.Data.Span)));

    private static Exception? Capture(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (ArgumentException e)
        {
            return e;
        }
    }

    private static string Preview(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count <= 8 ? string.Join(",", list) : $"{string.Join(",", list.Take(4))},...,{string.Join(",", list.TakeLast(2))}";
    }

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
