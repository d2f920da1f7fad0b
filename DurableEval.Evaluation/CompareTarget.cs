namespace DurableEval.Evaluation;

/// <summary>
/// A comparison target: "reports/results.json" (the file's subject engine, or <c>defaultEngine</c>'s) or
/// "reports/results.json#durabletask" (one engine the file holds). An engine the file does not hold is one line
/// naming the engines it does.
/// </summary>
public static class CompareTarget
{
    public const char Separator = '#';

    /// <summary>The file and the engine a target names (engine null when it names none).</summary>
    public static (string Path, string? Engine) Split(string target)
    {
        var at = target.LastIndexOf(Separator);

        // A '#' inside a folder name is part of the path: an engine is the last segment's suffix, never a path.
        if (at < 0 || at == target.Length - 1 || target.AsSpan(at + 1).IndexOfAny(['/', '\\']) >= 0)
        {
            return (target, null);
        }

        return (target[..at], target[(at + 1)..]);
    }

    /// <summary>The target's report, with the path shown for it ("results.json#durabletask" when an engine was named).</summary>
    public static (string Path, EvaluationReport Report) Load(string target, string? defaultEngine = null)
    {
        var (path, engine) = Split(target);
        var run = ResultsReader.LoadRun(path);
        var id = engine ?? defaultEngine;
        if (id is null)
        {
            return (path, run.Subject);
        }

        var report = run.Find(id) ?? throw new ResultsFileException(
            $"{path}: has no results for engine '{id}'; it holds {run.EngineIds} (name one as {path}{Separator}ENGINE).");
        return (engine is null ? path : target, report);
    }
}
