using System.Globalization;

namespace DurableEval.Tests.Criteria;

/// <summary>Who caught one determinism pitfall when its workflow ran.</summary>
public enum CaughtBy
{
    /// <summary>The SDK failed the workflow task while the workflow ran live (cached worker, no replay).</summary>
    RunTime,

    /// <summary>The run completed, and replaying its history with the same code failed.</summary>
    Replay,

    /// <summary>The run completed and its history replayed cleanly: only the developer can catch it.</summary>
    Nothing,

    /// <summary>Neither a result nor a task failure within the bound: no observation.</summary>
    Undetermined,
}

/// <summary>
/// Turns the pitfall catalogue's observations into the checks DX-06 rates on: the share the SDK catches by itself
/// at run time, compared with the catalog's thresholds. A pitfall seen only when the harness replays the history
/// is not caught by the SDK (a developer who does not replay never sees it), so replay catches are counted and
/// reported apart and never raise the rated share. Pure, tested offline with passing and failing catalogues.
/// </summary>
public static class PitfallVerdict
{
    public sealed record Result(
        int Total, int RunTime, int Replay, int Nothing, int Undetermined, double RunTimeShare, double ReplayShare, bool MeetsEdge, bool MeetsProduction)
    {
        public string Describe() => string.Create(
            CultureInfo.InvariantCulture,
            $"{Total} pitfalls: {RunTime} caught by the SDK at run time (share {RunTimeShare:0.##}, the rated share); {Replay} more only by the harness's replay (share {ReplayShare:0.##}, not rated); {Nothing} by nothing; {Undetermined} undetermined");
    }

    public static Result Judge(IReadOnlyList<CaughtBy> outcomes, double edgeShare, double productionShare)
    {
        if (outcomes.Count == 0)
        {
            return new Result(0, 0, 0, 0, 0, 0, 0, false, false);
        }

        int Of(CaughtBy c) => outcomes.Count(o => o == c);
        var runTime = (double)Of(CaughtBy.RunTime) / outcomes.Count;
        var replay = (double)Of(CaughtBy.Replay) / outcomes.Count;
        return new Result(
            outcomes.Count, Of(CaughtBy.RunTime), Of(CaughtBy.Replay), Of(CaughtBy.Nothing), Of(CaughtBy.Undetermined), runTime, replay, runTime >= edgeShare, runTime >= productionShare);
    }
}
