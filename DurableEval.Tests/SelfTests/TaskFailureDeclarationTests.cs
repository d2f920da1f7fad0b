using System.Text.RegularExpressions;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// Every fact that makes a workflow task fail on purpose declares it to the run watcher
/// (<see cref="Servers.ServerLease.ExpectTaskFailures"/>); otherwise the watcher may end the block on the very
/// failure the check is waiting for, before the check is recorded (a race the live run shows only sometimes).
/// A fact that waits for a deliberate task failure reads it from the history (WorkflowTaskFailed, the
/// WorkflowTaskFailureAsync probe) or from the SDK's task-failure metric; each such file must declare at least
/// as many runs as it has probe calls, and at least one for any other read.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed partial class TaskFailureDeclarationTests
{
    [Fact]
    public void EveryFactThatWaitsForADeliberateTaskFailureDeclaresIt()
    {
        var criteria = Path.Combine(Settings.RepositoryRoot, "DurableEval.Tests", "Criteria");
        var files = Directory.EnumerateFiles(criteria, "*.cs", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(criteria, f), File.ReadAllText, StringComparer.Ordinal);

        var undeclared = Undeclared(files);

        Assert.True(files.Count > 0, $"no fact sources under {criteria}");
        Assert.True(undeclared.Count == 0, "facts that wait for a deliberate workflow-task failure without ServerLease.ExpectTaskFailures for it: " + string.Join("; ", undeclared));
    }

    [Fact]
    public void RuleFlagsAForgottenDeclarationAndPassesADeclaredOne()
    {
        const string Declared = """
            var options = server.Options("broken", queue);
            server.ExpectTaskFailures(options.Id!);
            var failure = await HistoryProbe.WorkflowTaskFailureAsync(handle, Observe.Bound);
            """;
        const string Forgotten = """
            var handle = await server.Client.StartWorkflowAsync((W w) => w.RunAsync(), server.Options("pending", queue));
            var failure = HistoryProbe.FirstOf(await handle.FetchHistoryAsync(), EventType.WorkflowTaskFailed);
            """;
        const string OneOfTwo = """
            server.ExpectTaskFailures(a.Id!);
            var first = await HistoryProbe.WorkflowTaskFailureAsync(one, Observe.Bound);
            var second = await HistoryProbe.WorkflowTaskFailureAsync(two, Observe.Bound);
            """;
        const string MetricOnly = """var rise = Rise(s3, s4, "temporal_workflow_task_execution_failed", labels);""";
        const string Unrelated = """var result = await handle.GetResultAsync();""";

        var undeclared = Undeclared(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Declared.cs"] = Declared,
            ["Forgotten.cs"] = Forgotten,
            ["OneOfTwo.cs"] = OneOfTwo,
            ["MetricOnly.cs"] = MetricOnly,
            ["Unrelated.cs"] = Unrelated,
        });

        Assert.Equal(
            [
                "Forgotten.cs: reads a workflow-task failure 1 time(s) (1 history read) but declares 0 run(s)",
                "MetricOnly.cs: reads a workflow-task failure 1 time(s) (1 task-failure metric read) but declares 0 run(s)",
                "OneOfTwo.cs: reads a workflow-task failure 2 time(s) (2 WorkflowTaskFailureAsync probes) but declares 1 run(s)",
            ],
            undeclared);
    }

    /// <summary>The files that read more deliberate task failures than they declare, one line each, in path order.</summary>
    internal static IReadOnlyList<string> Undeclared(IReadOnlyDictionary<string, string> files) =>
        files.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f =>
            {
                var probes = ProbeCall().Count(f.Value);
                var historyReads = HistoryRead().Count(f.Value);
                var metricReads = MetricRead().Count(f.Value);
                var declared = Declaration().Count(f.Value);

                // Probe calls each wait for their own run; any other read needs at least one declared run.
                var needed = Math.Max(probes, historyReads + metricReads > 0 ? 1 : 0);
                if (declared >= needed)
                {
                    return null;
                }

                var kinds = new[]
                {
                    probes > 0 ? $"{probes} WorkflowTaskFailureAsync probe{(probes == 1 ? string.Empty : "s")}" : null,
                    historyReads > 0 ? $"{historyReads} history read{(historyReads == 1 ? string.Empty : "s")}" : null,
                    metricReads > 0 ? $"{metricReads} task-failure metric read{(metricReads == 1 ? string.Empty : "s")}" : null,
                }.Where(k => k is not null);
                return $"{f.Key}: reads a workflow-task failure {Math.Max(needed, probes + historyReads + metricReads)} time(s) ({string.Join(", ", kinds)}) but declares {declared} run(s)";
            })
            .OfType<string>()
            .ToList();

    [GeneratedRegex(@"WorkflowTaskFailureAsync\(")]
    private static partial Regex ProbeCall();

    [GeneratedRegex(@"EventType\.WorkflowTaskFailed\b")]
    private static partial Regex HistoryRead();

    [GeneratedRegex(@"workflow_task_execution_failed")]
    private static partial Regex MetricRead();

    [GeneratedRegex(@"\.ExpectTaskFailures\(")]
    private static partial Regex Declaration();
}
