using System.Globalization;
using System.Text;

namespace DurableEval.Evaluation;

/// <summary>Renders REPORT.md: the shape a reader of evaluation reports expects, computed from the report model only.</summary>
public static class MarkdownReport
{
    public static string Render(EvaluationReport report) => Render(RunReport.Single(report));

    /// <summary>
    /// The subject engine's report as for a single-engine run, then, for each other engine that ran, a section of its
    /// own (verdict, criteria table, not-run reasons, coverage, evidence, findings, conclusion), anchored with
    /// <see cref="ReportAnchors"/>.
    /// </summary>
    public static string Render(RunReport run)
    {
        var md = new Md();
        var report = run.Subject;
        Overview(md, report);
        OtherEnginesLine(md, run);
        FailClose(md, report);
        AllCriteria(md, report);
        NotRunReasons(md, report);
        Baseline(md, report);
        PolicyApplied(md, report);
        RunCostSection(md, run);
        KeyFindings(md, report, 2);
        Details(md, report, 2);
        CoverageByCategory(md, report, 2);
        Environment(md, report);
        Profile(md, report);
        Legend(md, run);
        md.Heading(2, "Aggregation rule");
        md.Line(EvaluationReport.AggregationRule);
        md.Blank();
        Conclusion(md, report, 2);

        // Comparison, When to use, Deployment checklist: derived across engines (nothing for a single-engine run).
        md.Text(ComparisonMarkdown.Render(run));
        foreach (var other in run.Others)
        {
            EngineSection(md, other);
        }

        return md.ToString();
    }

    // One line under the subject's overview: which other engines ran, their verdicts, where their sections are.
    private static void OtherEnginesLine(Md md, RunReport run)
    {
        if (!run.IsMultiEngine)
        {
            return;
        }

        md.Line("**Also measured with the same catalog (not gated):** " + string.Join("; ", run.Others.Select(r =>
            $"[{r.Engine.Name}](#{ReportAnchors.Section(r.Engine)}): {ConsoleSummary.Headline(r, named: false)}")));
        md.Blank();
    }

    /// <summary>
    /// "Temporal: Production Ready": the verdict line names the engine it is about. Another engine's verdict has no
    /// fail-close rule to call it incomplete, so it says how much evidence it rests on: "... from 3 of 55 applicable criteria".
    /// </summary>
    public static string EngineVerdict(EvaluationReport report) => $"{report.Engine.Name}: {Verdict(report.Overall)}{EvidenceShare(report)}";

    /// <summary>" from 3 of 55 applicable criteria" for a rated engine other than the subject; nothing otherwise.</summary>
    public static string EvidenceShare(EvaluationReport report) =>
        report.Engine.IsSubject || report.Overall.Stars is null
            ? string.Empty
            : $" from {Int(report.Evaluated)} of {Int(report.Total - report.NotApplicable)} applicable criteria";

    /// <summary>How an engine's results are used: the subject is gated by the policy; the others are evidence for comparison.</summary>
    public static string GateText(Engine engine) =>
        engine.IsSubject ? "the subject: gated by the policy" : "measured for comparison: not gated (a weak rating is evidence, never a failure)";

    // Another engine's section: its own verdict, criteria, reasons, coverage, evidence and conclusion. The run-wide
    // parts (policy, run cost, environment, profile, legend) are stated once, in the subject's report above.
    private static void EngineSection(Md md, EvaluationReport report)
    {
        var engine = report.Engine;
        md.Blank();
        md.Line($"<a id=\"{ReportAnchors.Section(engine)}\"></a>");
        md.Blank();
        md.Heading(2, $"{engine.Name}: the same catalog, measured ({engine.Sdk})");
        var overall = report.Overall;
        md.Line($"**Verdict:** {EngineVerdict(report)}  ");
        md.Line($"**Overall:** {report.OverallText}" +
                (overall.Mean is { } mean ? $" (mean of category averages {EvaluationReport.Number(mean)})" : string.Empty) + "  ");
        md.Line($"**Evaluated:** {RunLine(report)}  ");
        md.Line($"**Gate:** {GateText(engine)}  ");
        var factTime = TimeSpan.FromTicks(report.CategoryDurations.Sum(c => c.Duration.Ticks));
        md.Line($"**Fact time:** {Duration(factTime)} summed over {Int(report.CategoryDurations.Sum(c => c.Facts))} facts");
        md.Blank();
        md.Heading(3, $"All criteria ({engine.Name})");
        var reasonsAnchor = ReportAnchors.For(engine, "not-run-reasons");
        md.Line($"\"{Rubric.NotApplicableLabel}\" means the criterion is outside the scope of {engine.Name} (no stars, out of every average and of the verdict); " +
                $"\"{Rubric.NotEvaluatedLabel}\" means it applies but this run has no rating for it. " +
                (report.SharedReasons.Count > 0 ? $"Reasons in [brackets] are stated once under [Not-run reasons ({engine.Name})](#{reasonsAnchor}). " : string.Empty) +
                "Each ID links to its evidence.");
        md.Blank();
        var shared = report.SharedReasons;
        md.Table(
            ["ID", "Criterion", "Stars", "Reason", "Coverage", "Fact time"],
            report.Results.Select(r => new[]
            {
                $"[{r.Definition.Id}](#{ReportAnchors.For(engine, r.Definition.Id)})",
                r.Definition.Name,
                StarsCell(r.Rating),
                OneLineReason(r, shared),
                r.Rating.IsApplicable ? CoverageCell(r) : "\u2014",
                r.Fact.Duration is { } d ? Duration(d) : "\u2014",
            }));
        if (shared.Count > 0)
        {
            md.Line($"<a id=\"{reasonsAnchor}\"></a>");
            md.Blank();
            md.Heading(3, $"Not-run reasons ({engine.Name})");
            md.Table(
                ["Key", "Reason and fix", "Checks", "Criteria"],
                shared.Select(s => new[] { s.Key, s.Text, Int(s.Checks), string.Join(", ", s.Criteria) }));
        }

        CoverageByCategory(md, report, 3);
        KeyFindings(md, report, 3);
        Details(md, report, 3);
        Conclusion(md, report, 3);
    }

    /// <summary>The stars column: stars, "—" when not evaluated, "n/a" when the criterion does not apply to the engine.</summary>
    public static string StarsCell(Rating rating) => rating.IsApplicable ? Rubric.StarsText(rating.Stars) : Rubric.NotApplicableStars;

    // The first screen answers "is it ready, and what is missing": verdict, stars, what was evaluated, the most
    // common reason the rest was not (with its fix), the policy, then the fail-close and criteria tables.
    private static void Overview(Md md, EvaluationReport report)
    {
        var overall = report.Overall;
        md.Heading(1, "DurableEval report: is Temporal, used from .NET, ready for production?");
        md.Line($"**Verdict:** {EngineVerdict(report)}  ");
        md.Line($"**Overall:** {report.OverallText}" +
                (overall.Mean is { } mean ? $" (mean of category averages {EvaluationReport.Number(mean)})" : string.Empty) + "  ");
        md.Line($"**Evaluated:** {RunLine(report)}  ");
        if (report.SharedReasons.Count > 0)
        {
            var top = report.SharedReasons[0];
            md.Line($"**Most common reason a check did not run** ([{top.Key}](#not-run-reasons), {Int(top.Checks)} checks): {top.Text}  ");
        }

        if (report.Baseline is { } baseline)
        {
            md.Line($"**Since baseline:** {BaselineLine(baseline)}  ");
        }

        md.Line($"**Policy:** {report.Policy.Summary}  ");
        md.Line($"Generated {report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC; " +
                $"environment fingerprint `{report.Environment.Fingerprint}`" +
                (report.Cost.WallTime is { } wall ? $"; the run took {Duration(wall)}." : "."));
        md.Blank();
    }

    /// <summary>"4 of 58 criteria (partial run: 8 of 58 selected; 49 have no fact yet)".</summary>
    internal static string RunLine(EvaluationReport report)
    {
        var noFact = report.WithoutFact > 0 ? $"; {Int(report.WithoutFact)} have no fact yet" : string.Empty;
        var notApplicable = report.NotApplicable > 0 ? $"; {Int(report.NotApplicable)} not applicable" : string.Empty;
        return $"{Int(report.Evaluated)} of {Int(report.Total)} criteria ({(report.IsPartial ? "partial" : "full")} run: " +
               $"{Int(report.Selected)} of {Int(report.Total)} selected{noFact}{notApplicable})";
    }

    internal static string BaselineLine(BaselineDiff diff) =>
        diff.IsEmpty
            ? "no change"
            : $"{Int(diff.Stars.Count(s => s.After > s.Before || (s.Before is null && s.After is not null)))} criteria gained stars, " +
              $"{Int(diff.Regressions.Count)} lost stars, {Int(diff.Stars.Count(s => s.Before is not null && s.After is null))} no longer evaluated; " +
              $"{Int(diff.Checks.Count)} checks flipped; {Int(diff.Metrics.Count)} metrics moved";

    private static void FailClose(Md md, EvaluationReport report)
    {
        md.Heading(2, "Fail-close status");
        var rows = report.Results.Where(r => r.Definition.FailClose != FailCloseRule.None).Select(r => new[]
        {
            Ref(r),
            r.FailCloseApplies ? RuleText(r.Definition.FailClose) : $"{RuleText(r.Definition.FailClose)}: does not apply (profile)",
            $"{Rubric.StarsText(r.Rating.Stars)} {r.Rating.Label}",
            FailCloseStatus(r),
        });
        md.Table(["Criterion", "Rule", "Rating", "Status"], rows);
    }

    internal static string FailCloseStatus(CriterionResult r) =>
        !r.FailCloseApplies ? "does not apply"
        : !r.Rating.IsEvaluated ? "not evaluated: verdict incomplete"
        : r.Rating.Stars >= Rubric.Bar ? "meets the bar" : "below the bar: caps overall";

    private static void AllCriteria(Md md, EvaluationReport report)
    {
        md.Heading(2, "All criteria");
        md.Line("Reasons in [brackets] are stated once under [Not-run reasons](#not-run-reasons); each criterion's checks and evidence are under [Details](#details).");
        md.Blank();
        var shared = report.SharedReasons;
        md.Table(
            ["ID", "Criterion", "Stars", "Reason", "Coverage", "Fact time"],
            report.Results.Select(r => new[]
            {
                r.Definition.Id,
                r.Definition.Name,
                Rubric.StarsText(r.Rating.Stars),
                OneLineReason(r, shared),
                CoverageCell(r),
                r.Fact.Duration is { } d ? Duration(d) : "\u2014",
            }));
    }

    /// <summary>The rating's reason with shared not-run reasons replaced by their key, cut to one short line.</summary>
    internal static string OneLineReason(CriterionResult r, IReadOnlyList<SharedReason> shared)
    {
        var text = SharedReason.Abbreviate(r.Rating.Reason, shared);
        return text.Length <= 140 ? text : text[..137] + "...";
    }

    internal static string CoverageCell(CriterionResult r) =>
        r.Evidence is { } e && e.Checks.Count > 0
            ? $"{CoverageText(r.Coverage)} ({Int(e.Checks.Count(c => c.Outcome != CheckOutcome.NotRun))} of {Int(e.Checks.Count)} checks ran)"
            : CoverageText(r.Coverage);

    private static void NotRunReasons(Md md, EvaluationReport report)
    {
        var shared = report.SharedReasons;
        if (shared.Count == 0)
        {
            return;
        }

        md.Heading(2, "Not-run reasons");
        md.Line("A reason shared by several checks is stated once here, with its fix, and referenced by its key elsewhere.");
        md.Blank();
        md.Table(
            ["Key", "Reason and fix", "Checks", "Criteria"],
            shared.Select(s => new[] { s.Key, s.Text, Int(s.Checks), string.Join(", ", s.Criteria) }));
    }

    private static void Baseline(Md md, EvaluationReport report)
    {
        if (report.Baseline is not { } diff)
        {
            return;
        }

        md.Heading(2, "Changes since baseline");
        md.Line($"Baseline: `{diff.Source}`, generated {diff.BaselineGeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC. {BaselineLine(diff)}.");
        md.Blank();
        if (diff.Stars.Count > 0)
        {
            md.Table(["Criterion", "Stars (baseline \u2192 now)", "Change"], diff.Stars.Select(s => new[]
            {
                s.Criterion, s.Text, s.IsRegression ? "**lost stars**" : s.After is null ? "no longer evaluated" : s.Before is null ? "newly evaluated" : s.After > s.Before ? "gained stars" : "lost stars",
            }));
        }

        if (diff.Checks.Count > 0)
        {
            md.Table(["Criterion", "Check", "Baseline", "Now"], diff.Checks.Select(c => new[]
            {
                c.Criterion, $"`{c.Check}`", JsonReport.OutcomeName(c.Before), c.IsRegression ? "**failed**" : JsonReport.OutcomeName(c.After),
            }));
        }

        if (diff.Metrics.Count > 0)
        {
            md.Table(["Criterion", "Metric", "Baseline", "Now", "Unit"], diff.Metrics.Select(m => new[]
            {
                m.Criterion, $"`{m.Metric}`", EvaluationReport.Number(m.Before), EvaluationReport.Number(m.After), m.Unit,
            }));
        }

        md.Line($"Rule: {BaselineDiff.MetricRule}; a criterion with fewer stars than in the baseline is a regression.");
        md.Blank();
    }

    private static void PolicyApplied(Md md, EvaluationReport report)
    {
        var outcome = report.Policy;
        md.Heading(2, "Policy");
        md.Line($"Outcome: {outcome.Summary}.");
        md.Blank();
        foreach (var line in outcome.Policy.Describe())
        {
            md.Line("- " + line);
        }

        md.Blank();
    }

    private static void RunCostSection(Md md, RunReport run)
    {
        var report = run.Subject;
        md.Heading(2, "Run cost");
        foreach (var (label, text) in RunCostLines(run))
        {
            md.Line($"- **{label}:** {text}");
        }

        md.Blank();
        var perCategory = report.CategoryDurations;
        if (perCategory.Count > 0)
        {
            md.Table(["Category", "Facts timed", "Fact time"], perCategory.Select(c => new[]
            {
                $"{c.Category.Code} {c.Category.Name}", Int(c.Facts), Duration(c.Duration),
            }));
        }
    }

    /// <summary>
    /// The run-cost story every format tells: wall time against the sum of fact times (the parallel speed-up),
    /// what servers cost and how long blocks waited for them, and the critical path the run's end waited for.
    /// </summary>
    public static IReadOnlyList<(string Label, string Text)> RunCostLines(EvaluationReport report) => RunCostLines(RunReport.Single(report));

    /// <summary>The run-cost story for the whole run: fact time is summed over every engine's facts (the wall time covers them all).</summary>
    public static IReadOnlyList<(string Label, string Text)> RunCostLines(RunReport run)
    {
        var report = run.Subject;
        var cost = report.Cost;
        var durations = run.Engines.SelectMany(r => r.CategoryDurations).ToList();
        var factTime = TimeSpan.FromTicks(durations.Sum(c => c.Duration.Ticks));
        var lines = new List<(string, string)>
        {
            ("Total wall time", cost.WallTime is { } wall
                ? $"{Duration(wall)} ({(cost.LaneCount == 1 ? "one lane: facts one after another" : $"{Int(cost.LaneCount)} parallel lanes{(cost.Lanes.Any(l => l.Lane == LaneRun.AloneLane) ? ", then the facts that run alone" : string.Empty)}")})"
                : "not measured"),
            ("Fact time", RunCost.SpeedUp(factTime, cost.WallTime) is { } speedUp
                ? $"{Duration(factTime)} summed over {Int(durations.Sum(c => c.Facts))} facts{EnginesText(run)}; speed-up {speedUp.ToString("0.00", CultureInfo.InvariantCulture)}x (fact time / wall time)"
                : $"{Duration(factTime)} summed over {Int(durations.Sum(c => c.Facts))} facts{EnginesText(run)}"),
            ("Server start-up", cost.ServerStarts == 0
                ? "no server was started"
                : $"{Int(cost.ServerStarts)} starts, {Duration(cost.ServerStartTotal)} in total; blocks waited {Duration(cost.ServerWaitTotal)} for their servers (how each was obtained: the environment's isolation line)"),
        };
        var path = cost.CriticalPath();
        if (path.Count > 0)
        {
            lines.Add(("Critical path", string.Join("; then ", path.Select(l =>
                $"{(l.Lane == LaneRun.AloneLane ? "the facts that run alone" : l.Lane)} ({Duration(l.Start)} to {Duration(l.End)}: {string.Join(", ", l.Criteria)})"))));
        }

        return lines;
    }

    // " of 3 engines (Temporal 12.1 s, Durable Task 3.2 s, ...)" when more than one engine ran; nothing otherwise.
    private static string EnginesText(RunReport run) =>
        run.IsMultiEngine
            ? $" of {Int(run.Engines.Count)} engines ({string.Join(", ", run.Engines.Select(r => $"{r.Engine.Name} {Duration(TimeSpan.FromTicks(r.CategoryDurations.Sum(c => c.Duration.Ticks)))}"))})"
            : string.Empty;

    /// <summary>
    /// The verdict in words. An incomplete one leads with "incomplete" and calls its label provisional, so no
    /// format can show a label computed from part of the fail-close evidence as if it were the verdict.
    /// </summary>
    public static string Verdict(OverallRating overall)
    {
        var capped = CappedText(overall);
        var missing = IncompleteText(overall);
        return overall.Stars is null
            ? "not evaluated: no criterion was evaluated" + (overall.Complete ? string.Empty : "; " + missing)
            : overall.Complete
                ? overall.Label + capped
                : $"{missing}; provisional rating {overall.Label}{capped}";
    }

    /// <summary>" (capped at 2 stars by fail-close: EX-03)", or nothing when the overall is not capped.</summary>
    public static string CappedText(OverallRating overall) =>
        overall.Capped ? $" (capped at {Rubric.FailCloseCap} stars by fail-close: {string.Join(", ", overall.FailCloseBelowBar)})" : string.Empty;

    /// <summary>"incomplete: fail-close criteria not evaluated: VR-01, OP-02".</summary>
    public static string IncompleteText(OverallRating overall) =>
        $"incomplete: fail-close criteria not evaluated: {string.Join(", ", overall.FailCloseNotEvaluated)}";

    private static void Environment(Md md, EvaluationReport report)
    {
        md.Heading(2, "Test environment");
        md.Table(["Item", "Value"], report.Environment.Rows.Select(r => new[] { r.Name, r.Value }));
    }

    private static void Legend(Md md, RunReport run)
    {
        md.Heading(2, "Star legend");
        var rows = Rubric.Rows.Select(r => new[] { Rubric.StarsText(r.Stars), r.Label, r.Rule })
            .Append([Rubric.StarsText(null), Rubric.NotEvaluatedLabel, Rubric.NotEvaluatedRule]);
        if (run.Engines.Any(r => r.NotApplicable > 0))
        {
            rows = rows.Append([Rubric.NotApplicableStars, Rubric.NotApplicableLabel, Rubric.NotApplicableRule]);
        }

        md.Table(["Stars", "Label", "Rule"], rows);
        md.Line(Rubric.AboveCoreRule);
        md.Blank();
        md.Line($"\"Good\" below means {Rubric.StarsText(Rubric.Good)} or better; every fact asserts at least {Rubric.StarsText(Rubric.Bar)}.");
        md.Blank();
    }

    private static void Profile(Md md, EvaluationReport report)
    {
        md.Heading(2, "Profile");
        md.Line($"Source: {report.Profile.Source}.");
        md.Blank();
        md.Table(["Field", "Value"], report.Profile.Fields.Select(f => new[] { f.Field, f.Value }));
    }

    // The "Not applicable" column appears only where some criterion is outside the engine's scope (never for Temporal).
    private static void CoverageByCategory(Md md, EvaluationReport report, int level)
    {
        md.Heading(level, "Coverage summary by category" + Of(report, level));
        var withNotApplicable = report.NotApplicable > 0;
        md.Table(
            withNotApplicable
                ? ["Category", "Items", "Good", "Not good", "Not evaluated", Rubric.NotApplicableLabel, "Average"]
                : ["Category", "Items", "Good", "Not good", "Not evaluated", "Average"],
            report.Categories.Select(c => (withNotApplicable
                ? new[] { $"{c.Category.Code} {c.Category.Name}", Int(c.Items), Int(c.Good), Int(c.NotGood), Int(c.NotEvaluated), Int(c.NotApplicable) }
                : new[] { $"{c.Category.Code} {c.Category.Name}", Int(c.Items), Int(c.Good), Int(c.NotGood), Int(c.NotEvaluated) })
                .Append(c.Average is { } a ? EvaluationReport.Number(a) : "\u2014").ToArray()));
    }

    // A heading below the subject's level names the engine it belongs to: "Details (Durable Task)".
    private static string Of(EvaluationReport report, int level) => level > 2 ? $" ({report.Engine.Name})" : string.Empty;

    private static void Details(Md md, EvaluationReport report, int level)
    {
        md.Heading(level, "Details" + Of(report, level));
        var shared = report.SharedReasons;
        foreach (var category in report.Categories)
        {
            md.Heading(level + 1, $"{category.Category.Code} {category.Category.Name}");
            foreach (var r in report.Results.Where(r => r.Definition.Category == category.Category))
            {
                Criterion(md, r, shared);
            }
        }
    }

    // Each criterion folds into a <details> block so the page reads top-down; the blank line after <summary> lets
    // GitHub render the Markdown tables inside.
    private static void Criterion(Md md, CriterionResult r, IReadOnlyList<SharedReason> shared)
    {
        var d = r.Definition;
        md.Line($"<a id=\"{ReportAnchors.For(r.Engine, d.Id)}\"></a><details><summary><b>{Html(d.Id)} {Html(d.Name)}</b>: {StarsCell(r.Rating)} {Html(r.Rating.Label)}</summary>");
        md.Blank();
        md.Line($"- **Reason:** {SharedReason.Abbreviate(r.Rating.Reason, shared)}");
        md.Line($"- **Criterion:** {d.Description}");
        md.Line($"- **Support:** {SupportText(r)}");
        md.Line($"- **Fact:** {FactText(r.Fact)}{(r.Fact.Duration is { } t ? $" in {Duration(t)}" : string.Empty)}");
        var used = r.Evidence?.ServersUsed ?? [];
        if (used.Count > 0)
        {
            md.Line($"- **Servers that contributed:** {string.Join("; ", used.Select(s => $"{s.Kind}, version {s.Version} ({s.Isolation})"))}");
        }

        // The catalog's "to raise" texts are about Temporal; another engine's details do not borrow them.
        if (r.Engine.IsSubject)
        {
            md.Line($"- **To raise the rating:** {d.ToRaise}");
        }

        md.Blank();
        if (r.Evidence is { } evidence)
        {
            Evidence(md, d, evidence, shared, r.Engine.IsSubject);
        }

        md.Line("</details>");
        md.Blank();
    }

    /// <summary>
    /// The support line of a criterion's details: the engine's documented support level (with its source for engines
    /// other than the subject), fail-close, the bar and servers; or, outside the engine's scope, "not applicable".
    /// </summary>
    internal static string SupportText(CriterionResult r)
    {
        var d = r.Definition;
        if (!r.Rating.IsApplicable)
        {
            return $"{Rubric.NotApplicableLabel.ToLowerInvariant()} to {r.Engine.Name}: no stars, out of every average and of the verdict";
        }

        if (!r.Engine.IsSubject)
        {
            return $"{r.Support.ToString().ToLowerInvariant()} (documented: {EngineScope.For(r.Engine, d).Source}); **fail-close:** no (not gated)";
        }

        return $"{r.Support.ToString().ToLowerInvariant()}; **fail-close:** {(r.FailCloseApplies ? "applies" : "no")} ({RuleText(d.FailClose)}); **policy bar:** {Int(r.PolicyBar)} stars; **servers:** {Servers(d.Servers)}";
    }

    // Published anchors and reference figures are Temporal's; another engine's metrics are shown without them.
    private static void Evidence(Md md, CriterionDefinition d, CriterionEvidence evidence, IReadOnlyList<SharedReason> shared, bool anchored)
    {
        if (evidence.Checks.Count > 0)
        {
            md.Table(
                ["Check", "Kind", "Outcome", "Server", "Evidence"],
                evidence.Checks.Select(c => new[]
                {
                    $"`{c.Id}` {c.Description}",
                    c.Kind.ToString().ToLowerInvariant(),
                    OutcomeText(c.Outcome),
                    c.Server?.Short ?? (c.Outcome == CheckOutcome.NotRun ? "none" : "offline"),
                    c.Outcome == CheckOutcome.NotRun ? SharedReason.Abbreviate(c.Detail, shared) : c.Detail,
                }));
        }

        if (evidence.Metrics.Count > 0 && !anchored)
        {
            var withMethod = evidence.Metrics.Any(m => m.Method is not null);
            md.Table(
                withMethod ? ["Metric", "Value", "Unit", "Method"] : ["Metric", "Value", "Unit"],
                evidence.Metrics.Select(m => withMethod
                    ? new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit, m.Method?.Describe() ?? "\u2014" }
                    : new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit }));
        }
        else if (evidence.Metrics.Count > 0)
        {
            // The method column appears only where a fact recorded one, so other criteria's tables are unchanged.
            var withMethod = evidence.Metrics.Any(m => m.Method is not null);
            md.Table(
                withMethod
                    ? ["Metric", "Value", "Unit", "Method", "Published anchor", "Reference (" + MetricAnchors.ReferenceLabel + ")"]
                    : ["Metric", "Value", "Unit", "Published anchor", "Reference (" + MetricAnchors.ReferenceLabel + ")"],
                evidence.Metrics.Select(m => withMethod
                    ? new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit, m.Method?.Describe() ?? "\u2014", MetricAnchors.PublishedText(d.Id, m.Name), MetricAnchors.ReferenceText(d.Id, m.Name) }
                    : new[] { $"`{m.Name}`", EvaluationReport.Number(m.Value), m.Unit, MetricAnchors.PublishedText(d.Id, m.Name), MetricAnchors.ReferenceText(d.Id, m.Name) }));
        }

        foreach (var finding in evidence.Findings)
        {
            md.Line($"- Finding: {finding}");
        }

        foreach (var citation in evidence.Citations)
        {
            md.Line($"- Documented (not measured): {citation.Statement} ({citation.Source})");
        }

        if (evidence.Findings.Count + evidence.Citations.Count > 0)
        {
            md.Blank();
        }
    }

    private static void KeyFindings(Md md, EvaluationReport report, int level)
    {
        md.Heading(level, "Key findings" + Of(report, level));
        foreach (var finding in Findings.Derive(report))
        {
            md.Line("- " + finding.Text);
            foreach (var item in finding.Items)
            {
                md.Line("  - " + item);
            }
        }

        md.Blank();
    }

    private static void Conclusion(Md md, EvaluationReport report, int level)
    {
        md.Heading(level, "Conclusion" + Of(report, level));
        var paragraphs = Findings.Conclusion(report);
        for (var i = 0; i < paragraphs.Count; i++)
        {
            if (i > 0)
            {
                md.Blank();
            }

            md.Line(paragraphs[i]);
        }
    }

    internal static string FactText(FactOutcome fact) => fact.State switch
    {
        FactState.NoFact => "none yet",
        FactState.NotSelected => $"`{fact.Fact}` (not selected in this run)",
        FactState.Passed => $"`{fact.Fact}` passed",
        FactState.Failed => $"`{fact.Fact}` failed",
        _ => $"`{fact.Fact}` skipped",
    };

    internal static string RuleText(FailCloseRule rule) => rule switch
    {
        FailCloseRule.Always => "always",
        FailCloseRule.WhenDurationAtLeastMinutes => "when duration is minutes or longer",
        _ => "none",
    };

    internal static string Servers(ServerNeeds needs)
    {
        var names = new List<string>();
        if (needs.HasFlag(ServerNeeds.TimeSkipping))
        {
            names.Add("time-skipping");
        }

        if (needs.HasFlag(ServerNeeds.Any))
        {
            names.Add("any");
        }

        if (needs.HasFlag(ServerNeeds.Dev))
        {
            names.Add("dev");
        }

        if (needs.HasFlag(ServerNeeds.Offline))
        {
            names.Add("offline");
        }

        return string.Join(", ", names);
    }

    internal static string OutcomeText(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Passed => "passed",
        CheckOutcome.Failed => "**failed**",
        _ => "not run",
    };

    internal static string CoverageText(Coverage coverage) => coverage switch
    {
        Coverage.Measured => "measured",
        Coverage.Partial => "partial",
        Coverage.DocumentedOnly => "documented only",
        _ => "not observable",
    };

    private static string Ref(CriterionResult r) => $"{r.Definition.Id} {r.Definition.Name}";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"850 ms" under a second, "12.3 s" under ten minutes, else "14 min 5 s"; invariant culture.</summary>
    internal static string Duration(TimeSpan span) =>
        span.TotalSeconds < 1 ? span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms"
        : span.TotalMinutes < 10 ? span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
        : $"{((int)span.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min {span.Seconds.ToString(CultureInfo.InvariantCulture)} s";

    private static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);

    /// <summary>A tiny Markdown writer: LF line endings and escaped table cells, whatever the platform.</summary>
    private sealed class Md
    {
        private readonly StringBuilder text = new();

        public void Heading(int level, string title)
        {
            Line(new string('#', level) + " " + title);
            Blank();
        }

        public void Line(string line) => text.Append(line).Append('\n');

        public void Blank() => text.Append('\n');

        /// <summary>Text rendered elsewhere, already in lines.</summary>
        public void Text(string rendered) => text.Append(rendered);

        public void Table(IReadOnlyList<string> header, IEnumerable<string[]> rows)
        {
            Line("| " + string.Join(" | ", header) + " |");
            Line("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var row in rows)
            {
                Line("| " + string.Join(" | ", row.Select(Cell)) + " |");
            }

            Blank();
        }

        public override string ToString() => text.ToString();

        private static string Cell(string value) =>
            value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
    }
}
