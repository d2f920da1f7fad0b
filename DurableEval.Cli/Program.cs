using System.CommandLine;
using DurableEval.Evaluation;

namespace DurableEval.Cli;

/// <summary>
/// durableeval render | compare | gate, over results.json files a run already wrote. Exit codes: 0 done (gate: the
/// policy holds), 1 the gate failed, 2 an input could not be used (one line on stderr naming the file and the fix).
/// A results.json holds every engine that ran: render renders them all, compare takes engines as targets
/// ("results.json#durabletask"), gate gates the subject engine (Temporal) only.
/// </summary>
public static class Program
{
    public const int Ok = 0;
    public const int GateFailed = 1;
    public const int BadInput = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("DurableEval: render, compare and gate evaluation results (results.json) without re-running the evaluation.");
        root.Subcommands.Add(Render(stdout, stderr));
        root.Subcommands.Add(Compare(stdout, stderr));
        root.Subcommands.Add(Gate(stdout, stderr));
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static Command Render(TextWriter stdout, TextWriter stderr)
    {
        var results = new Argument<string>("results") { Description = "a results.json written by a DurableEval run" };
        var output = new Option<string?>("--out") { Description = "folder for REPORT.md, report.html and junit.xml (default: beside results.json)" };
        var command = new Command("render", "Render REPORT.md, report.html and junit.xml from a results.json, for every engine it holds.") { results, output };
        command.SetAction(parse => Guard(stderr, () =>
        {
            var path = parse.GetRequiredValue(results);
            var run = ResultsReader.LoadRun(path);
            var folder = parse.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(folder);
            Write(Path.Combine(folder, "REPORT.md"), MarkdownReport.Render(run));
            Write(Path.Combine(folder, "report.html"), HtmlReport.Render(run));
            Write(Path.Combine(folder, "junit.xml"), JunitReport.Render(run));
            stdout.WriteLine($"{string.Join("; ", run.Engines.Select(r => ConsoleSummary.Headline(r)))}; wrote REPORT.md, report.html and junit.xml to {folder}");
            return Ok;
        }));
        return command;
    }

    private static Command Compare(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("results")
        {
            Description = "two or more targets: a results.json (its subject engine, or --engine's), or results.json#ENGINE for one engine it holds (e.g. reports/results.json#durabletask)",
            Arity = new ArgumentArity(2, 100),
        };
        var engine = new Option<string?>("--engine") { Description = $"the engine to compare for targets that name none (one of {Engines.Ids}; default: the subject, {Engines.Temporal.Id})" };
        var markdown = new Option<string?>("--markdown") { Description = "write the Markdown comparison here instead of to standard output" };
        var html = new Option<string?>("--html") { Description = "also write the comparison as one self-contained HTML file" };
        var labels = new Option<string[]>("--label")
        {
            Description = "a column heading for each results file, in the same order (repeat once per file); default: what tells the runs apart (servers, time, path)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("compare", "Put several runs or engines side by side, criterion by criterion: stars, coverage, metrics.") { files, markdown, html, labels, engine };
        command.SetAction(parse => Guard(stderr, () =>
        {
            var targets = parse.GetRequiredValue(files);
            var loaded = targets.Select(t => CompareTarget.Load(t, parse.GetValue(engine))).ToList();
            var named = CompareLabels.For(loaded, parse.GetValue(labels) ?? []);
            var runs = loaded.Select((r, i) => new ComparedRun(named[i], r.Report)).ToList();
            var text = CompareReport.Markdown(runs);
            if (parse.GetValue(markdown) is { } md)
            {
                Write(md, text);
            }
            else
            {
                stdout.Write(text);
            }

            if (parse.GetValue(html) is { } page)
            {
                Write(page, CompareReport.Html(runs));
            }

            return Ok;
        }));
        return command;
    }

    private static Command Gate(TextWriter stdout, TextWriter stderr)
    {
        var results = new Argument<string>("results") { Description = "the results.json to gate" };
        var policy = new Option<string?>("--policy") { Description = "a durableeval.policy.json (default: the policy recorded in results.json)" };
        var baseline = new Option<string?>("--baseline") { Description = "an earlier results.json: with failOnRegression, fewer stars than there (for the same engine) fails the gate" };
        var command = new Command(
            "gate",
            $"Exit 1 when results.json breaks an enforced policy, 0 when it holds. Only the subject engine ({Engines.Temporal.Name}) is gated; the other engines in the file are evidence for comparison.")
        {
            results, policy, baseline,
        };
        command.SetAction(parse => Guard(stderr, () =>
        {
            var report = ResultsReader.Load(parse.GetRequiredValue(results));
            var applied = parse.GetValue(policy) is { } p ? PolicyLoader.Load(p) : report.Policy.Policy;
            var diff = parse.GetValue(baseline) is { } b ? BaselineDiff.Between(b, ResultsReader.LoadRun(b), report) : null;
            var outcome = report.Apply(applied, diff).Policy;
            stdout.WriteLine($"DurableEval gate ({report.Engine.Name}; {applied.Source}, {applied.Mode.ToString().ToLowerInvariant()}): {outcome.Summary}");
            return outcome.Fails ? GateFailed : Ok;
        }));
        return command;
    }

    // Inputs that cannot be used are one line naming the file, never a stack trace.
    private static int Guard(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ResultsFileException or PolicyException or CompareLabelException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"durableeval: {e.Message}");
            return BadInput;
        }
    }

    private static void Write(string path, string text) =>
        File.WriteAllText(path, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
}
