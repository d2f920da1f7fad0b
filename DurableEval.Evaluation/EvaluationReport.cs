using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>The machine and servers the evidence came from; rendered as given (no clock, no probing here).</summary>
public sealed record EnvironmentInfo(
    string Sdk,
    string Servers,
    string Persistence,
    string Isolation,
    string OperatingSystem,
    string Architecture,
    string DotNet)
{
    /// <summary>
    /// The other engines' SDKs and hosts, by engine id ("durabletask" → "Microsoft.DurableTask.Client 1.28.0, ..."),
    /// for the engines that ran; empty for a Temporal-only run, whose rows (and fingerprint) are as before.
    /// </summary>
    public IReadOnlyList<(string Engine, string Sdk)> EngineSdks { get; init; } = [];

    public IReadOnlyList<(string Name, string Value)> Rows =>
    [
        ("Temporal SDK", Sdk),
        ("Servers used", Servers),
        ("Persistence", Persistence),
        ("Isolation", Isolation),
        ("OS", OperatingSystem),
        ("Architecture", Architecture),
        (".NET", DotNet),
        .. EngineSdks.Select(e => ($"{(Engines.Find(e.Engine)?.Name ?? e.Engine)} SDK", e.Sdk)),
    ];

    /// <summary>A short stable hash of the rows, so two reports can be told apart or matched at a glance.</summary>
    public string Fingerprint
    {
        get
        {
            var canonical = string.Join("\n", Rows.Select(r => r.Name + "=" + r.Value));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..12];
        }
    }
}

/// <summary>
/// A category's counts. <see cref="NotEvaluated"/> counts applicable criteria with no rating; criteria outside the
/// engine's scope are counted apart in <see cref="NotApplicable"/> (nothing is missing there).
/// </summary>
public sealed record CategorySummary(Category Category, int Items, int Good, int NotGood, int NotEvaluated, double? Average)
{
    /// <summary>Criteria of this category that do not apply to the report's engine (never in <see cref="NotEvaluated"/>).</summary>
    public int NotApplicable { get; init; }
}

public sealed record OverallRating(
    int? Stars,
    string Label,
    double? Mean,
    bool Capped,
    IReadOnlyList<string> FailCloseBelowBar,
    IReadOnlyList<string> FailCloseNotEvaluated,
    IReadOnlyList<string> LeftOut)
{
    public bool Complete => FailCloseNotEvaluated.Count == 0;

    /// <summary>Criteria outside the engine's scope: out of every average and of the verdict, and not in <see cref="LeftOut"/>.</summary>
    public IReadOnlyList<string> NotApplicable { get; init; } = [];

    /// <summary>Stars were computed, but an applicable fail-close criterion was not evaluated: they are not a rating yet.</summary>
    public bool Provisional => Stars is not null && !Complete;
}

/// <summary>Everything the renderers print; built by one pure function so both renderers agree.</summary>
public sealed record EvaluationReport(
    DateTimeOffset GeneratedAt,
    EnvironmentInfo Environment,
    EvaluationProfile Profile,
    int Selected,
    IReadOnlyList<CriterionResult> Results,
    IReadOnlyList<CategorySummary> Categories,
    OverallRating Overall)
{
    /// <summary>
    /// results.json's shape version. 2: per-check server, fact duration, run cost, metric anchors split into
    /// published and reference, not-run reasons, policy and baseline sections (see schemas/results.schema.json).
    /// 3: the engine each report is about ("engine"), the other engines that ran ("otherEngines", same shape),
    /// "not applicable" counted apart (run, overall, categories; a criterion's support "not applicable"), and the
    /// other engines' SDKs in the environment ("engineSdks").
    /// </summary>
    public const int SchemaVersion = 3;

    /// <summary>The earlier version still read (<see cref="ResultsReader"/>): a Temporal-only file, engine = temporal.</summary>
    public const int PreviousSchemaVersion = 2;

    /// <summary>The engine these results are about; the title, verdict and conclusion name it.</summary>
    public Engine Engine { get; init; } = Engines.Temporal;

    /// <summary>What the run itself cost; unknown (no wall time) when the runner did not measure it.</summary>
    public RunCost Cost { get; init; } = RunCost.Unknown;

    /// <summary>The policy applied to this run's ratings (the rubric's bar when no policy file was given).</summary>
    public PolicyOutcome Policy { get; init; } = PolicyOutcome.Default;

    /// <summary>Changes against an earlier results.json, when DURABLEEVAL_BASELINE named one.</summary>
    public BaselineDiff? Baseline { get; init; }

    /// <summary>Not-run reasons shared by two or more checks, each stated once under a short key (N1, N2, ...).</summary>
    public IReadOnlyList<SharedReason> SharedReasons => SharedReason.Collect(Results);

    public int Evaluated => Results.Count(r => r.Rating.IsEvaluated);

    /// <summary>Criteria that do not apply to <see cref="Engine"/> (its scope says why); zero for Temporal.</summary>
    public int NotApplicable => Results.Count(r => !r.Rating.IsApplicable);

    /// <summary>
    /// The overall as every format and the console print it. While the verdict is incomplete the stars are shown as
    /// provisional, with how much evidence they rest on, never as the rating: "not rated (incomplete); provisional
    /// ⭐⭐⭐ PoC Ready from 2 of 58".
    /// </summary>
    public string OverallText => OverallTextWith(Rubric.StarsText);

    /// <summary><see cref="OverallText"/> with the stars drawn by <paramref name="stars"/> (report.html draws its own).</summary>
    public string OverallTextWith(Func<int?, string> stars) =>
        Overall.Provisional
            ? $"not rated (incomplete); provisional {stars(Overall.Stars)} {Overall.Label} from {Evaluated.ToString(CultureInfo.InvariantCulture)} of {Total.ToString(CultureInfo.InvariantCulture)}"
            : $"{stars(Overall.Stars)} {Overall.Label}";

    /// <summary>Time the selected facts took, per category, from the runner's durations.</summary>
    public IReadOnlyList<(Category Category, TimeSpan Duration, int Facts)> CategoryDurations =>
        Categories.Select(c =>
            {
                var timed = Results.Where(r => r.Definition.Category == c.Category && r.Fact.Duration is not null).ToList();
                return (c.Category, TimeSpan.FromTicks(timed.Sum(r => r.Fact.Duration!.Value.Ticks)), timed.Count);
            })
            .Where(x => x.Item3 > 0)
            .ToList();

    public const string AggregationRule =
        "Category average = mean stars of the category's evaluated criteria. Overall = mean of the category " +
        "averages (categories with no evaluated criterion are left out), rounded down to whole stars. Any applicable " +
        "fail-close criterion below 3 stars caps the overall rating at 2 stars; any applicable fail-close criterion " +
        "not evaluated makes the verdict incomplete. Criteria not evaluated are left out of every average and listed.";

    public int Total => Results.Count;

    /// <summary>A filter left out criteria that have facts (criteria with no fact yet do not make a run partial).</summary>
    public bool IsPartial => Results.Any(r => r.Fact.State == FactState.NotSelected);

    public int WithoutFact => Results.Count(r => r.Fact.State == FactState.NoFact);

    public static EvaluationReport Build(
        DateTimeOffset generatedAt,
        EnvironmentInfo environment,
        EvaluationProfile profile,
        IReadOnlyList<CriterionResult> results)
    {
        var ordered = results.OrderBy(r => CatalogIndex(r.Definition.Id)).ToList();
        var selected = ordered.Count(r => r.Fact.State is not (FactState.NoFact or FactState.NotSelected));
        var categories = SummarizeCategories(ordered);
        return new EvaluationReport(generatedAt, environment, profile, selected, ordered, categories, RateOverall(ordered, categories));
    }

    /// <summary>This report with <paramref name="policy"/> applied (each criterion's bar, the violations) and the baseline diff, if any.</summary>
    public EvaluationReport Apply(Policy policy, BaselineDiff? baseline)
    {
        var results = Results.Select(r => r with { PolicyBar = policy.BarFor(r.Definition) }).ToList();
        return this with { Results = results, Baseline = baseline, Policy = PolicyGate.Evaluate(policy, results, baseline) };
    }

    private static int CatalogIndex(string id)
    {
        var index = Catalog.All.ToList().FindIndex(c => c.Id == id);
        return index < 0 ? int.MaxValue : index;
    }

    private static List<CategorySummary> SummarizeCategories(IReadOnlyList<CriterionResult> results) =>
        Evaluation.Categories.All
            .Select(category =>
            {
                var items = results.Where(r => r.Definition.Category == category).ToList();
                var evaluated = items.Where(r => r.Rating.IsEvaluated).ToList();
                var notApplicable = items.Count(r => !r.Rating.IsApplicable);
                return new CategorySummary(
                    category,
                    items.Count,
                    evaluated.Count(r => r.Rating.Stars >= Rubric.Good),
                    evaluated.Count(r => r.Rating.Stars < Rubric.Good),
                    items.Count - evaluated.Count - notApplicable,
                    evaluated.Count == 0 ? null : evaluated.Average(r => r.Rating.Stars!.Value))
                {
                    NotApplicable = notApplicable,
                };
            })
            .Where(s => s.Items > 0)
            .ToList();

    private static OverallRating RateOverall(IReadOnlyList<CriterionResult> results, IReadOnlyList<CategorySummary> categories)
    {
        var failClose = results.Where(r => r.FailCloseApplies).ToList();
        var below = failClose.Where(r => r.Rating.Stars < Rubric.Bar).Select(r => r.Definition.Id).ToList();
        var notEvaluated = failClose.Where(r => !r.Rating.IsEvaluated).Select(r => r.Definition.Id).ToList();
        var leftOut = results.Where(r => !r.Rating.IsEvaluated && r.Rating.IsApplicable).Select(r => r.Definition.Id).ToList();
        var notApplicable = results.Where(r => !r.Rating.IsApplicable).Select(r => r.Definition.Id).ToList();
        var averages = categories.Where(c => c.Average is not null).Select(c => c.Average!.Value).ToList();
        if (averages.Count == 0)
        {
            return new OverallRating(null, Rubric.NotEvaluatedLabel, null, false, below, notEvaluated, leftOut) { NotApplicable = notApplicable };
        }

        var mean = averages.Average();

        // Rounded down so that a verdict never claims more than the evidence averages to; the tolerance keeps
        // a mean such as 3.9999999 (floating-point noise over exact quarters) from losing a star.
        var stars = Math.Max(1, (int)Math.Floor(mean + 1e-9));
        var capped = below.Count > 0 && stars > Rubric.FailCloseCap;
        if (capped)
        {
            stars = Rubric.FailCloseCap;
        }

        return new OverallRating(stars, Rubric.LabelFor(stars), mean, capped, below, notEvaluated, leftOut) { NotApplicable = notApplicable };
    }

    internal static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
