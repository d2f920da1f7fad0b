using System.Globalization;

namespace DurableEval.Evaluation;

/// <summary>
/// How a performance number was obtained, printed beside it: a latency or throughput without its sample size,
/// warm-up, repeats, server and worker settings cannot be judged or reproduced.
/// </summary>
/// <param name="Samples">Observations the statistic was computed from (after the warm-up was discarded).</param>
/// <param name="WarmupDiscarded">Observations (or runs) made first and thrown away.</param>
/// <param name="Repeats">Independent runs the samples came from.</param>
/// <param name="Statistic">What the value is: "p95 of per-step gaps", "N / wall time", ...</param>
/// <param name="Server">Server kind and version as observed.</param>
/// <param name="Persistence">Where the server keeps state (in-memory, SQLite file, a cluster's database).</param>
/// <param name="Worker">Worker settings that bound the number: slots, cache, eager activities.</param>
public sealed record MetricMethod(
    int Samples,
    int WarmupDiscarded,
    int Repeats,
    string Statistic,
    string Server,
    string Persistence,
    string Worker)
{
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Statistic}; N={Samples}, warm-up discarded {WarmupDiscarded}, repeats {Repeats}; server {Server}, persistence {Persistence}; worker {Worker}");
}
