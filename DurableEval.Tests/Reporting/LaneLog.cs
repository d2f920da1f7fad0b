using System.Diagnostics;
using DurableEval.Evaluation;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Which lane ran which criterion fact, and when each lane finished, measured on the run's clock: the run-cost
/// section's critical path. Thread-safe: lanes write to it concurrently.
/// </summary>
public sealed class LaneLog(Stopwatch clock)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (TimeSpan Start, TimeSpan End, List<string> Criteria)> lanes = new(StringComparer.Ordinal);

    public void Ran(string lane, string criterionId, TimeSpan start)
    {
        var end = clock.Elapsed;
        lock (gate)
        {
            if (!lanes.TryGetValue(lane, out var entry))
            {
                entry = (start, end, []);
            }

            entry.Criteria.Add(criterionId);
            lanes[lane] = (entry.Start < start ? entry.Start : start, end, entry.Criteria);
        }
    }

    public TimeSpan Now => clock.Elapsed;

    public IReadOnlyList<LaneRun> Lanes()
    {
        lock (gate)
        {
            return lanes.Select(l => new LaneRun(l.Key, l.Value.Start, l.Value.End, l.Value.Criteria.ToList()))
                .OrderBy(l => l.Start).ThenBy(l => l.Lane, StringComparer.Ordinal).ToList();
        }
    }
}
