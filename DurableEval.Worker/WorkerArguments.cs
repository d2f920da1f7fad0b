using System.Globalization;

namespace DurableEval.Worker;

/// <summary>
/// Everything the worker needs apart from its connection, all explicit on the command line (no environment, no
/// defaults that hide a mistake). The connection carries secrets, so it never appears here: it is the first line
/// of standard input (<see cref="DurableEval.Workflows.Shared.WorkerConnection"/>).
/// </summary>
internal sealed record WorkerArguments(
    string TaskQueue,
    string LedgerPath,
    bool Cache,
    string Identity,
    int? ParentProcessId)
{
    public const string Usage =
        "usage: DurableEval.Worker --task-queue QUEUE --ledger FILE.db --cache on|off --identity NAME [--parent-pid PID]\n"
        + "The first line of standard input is the connection (JSON, written by DurableEval.Tests); the rest of the\n"
        + "stream is held open: the worker exits when its standard input ends or the process --parent-pid names exits.";

    /// <summary>Parses "--name value" pairs; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static WorkerArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"expected '--name value' pairs, got '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string Required(string name) =>
            values.Remove(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"--{name} is required");

        var queue = Required("task-queue");
        var ledger = Required("ledger");
        var cache = Required("cache") switch
        {
            "on" => true,
            "off" => false,
            var other => throw new ArgumentException($"--cache must be on or off, got '{other}'"),
        };
        var parsed = new WorkerArguments(
            queue,
            ledger,
            cache,
            Required("identity"),
            values.Remove("parent-pid", out var pid) ? int.Parse(pid, NumberStyles.None, CultureInfo.InvariantCulture) : null);
        return values.Count == 0 ? parsed : throw new ArgumentException($"unknown argument(s): {string.Join(", ", values.Keys.Select(k => "--" + k))}");
    }
}
