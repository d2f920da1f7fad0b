using System.Globalization;
using DurableEval.Tests.Evidence;
using DurableEval.Tests.Servers;
using DurableEval.Workflows.Signals;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;
using Xunit;
using Xunit.Abstractions;
using static DurableEval.Tests.Evidence.CheckSpec;

namespace DurableEval.Tests.Criteria;

/// <summary>Observations and helpers shared by the SignalsEventsFacts facts.</summary>
public sealed partial class SignalsEventsFacts
{
    /// <summary>The numbers carried by the history's signal events, in history order (signals without input are left out).</summary>
    private static List<int> NumbersSignalled(WorkflowHistory history) => history.Events
        .Where(e => e.EventType == EventType.WorkflowExecutionSignaled && e.WorkflowExecutionSignaledEventAttributes.Input is { Payloads_.Count: > 0 })
        .Select(e => HistoryProbe.DecodeFirst<int>(e.WorkflowExecutionSignaledEventAttributes.Input))
        .ToList();

    private static EventType LastEvent(WorkflowHistory history) => history.Events.Last().EventType;

    private static async Task<int> EventCountAsync(WorkflowHandle handle) => (await handle.FetchHistoryAsync()).Events.Count;

    /// <summary>Scheduled runs that completed, found through the schedule's recent actions.</summary>
    private static async Task<int> CompletedScheduledRunsAsync(ITemporalClient client, ScheduleHandle schedule)
    {
        var completed = 0;
        foreach (var action in (await schedule.DescribeAsync()).Info.RecentActions)
        {
            if (action.Action is ScheduleActionExecutionStartWorkflow run
                && (await client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).DescribeAsync()).Status == WorkflowExecutionStatus.Completed)
            {
                completed++;
            }
        }

        return completed;
    }

    private static bool IsNotFound(Exception? e) => e is RpcException { Code: RpcException.StatusCode.NotFound };

    private static string Numbers(IEnumerable<int> numbers) => string.Join(",", numbers);

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.###", CultureInfo.InvariantCulture) + " h";

    private static string Minutes(TimeSpan span) => span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min";

    private static string Clock(DateTime time) => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
