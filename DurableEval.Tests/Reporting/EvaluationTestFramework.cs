using System.Reflection;
using DurableEval.Evaluation;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("DurableEval.Tests.Reporting.EvaluationTestFramework", "DurableEval.Tests")]

namespace DurableEval.Tests.Reporting;

/// <summary>
/// xUnit's own framework with one addition: the assembly runner records each criterion fact's outcome and writes
/// the report when the assembly finishes, so plain dotnet test, filtered runs and IDE runs all produce one.
/// </summary>
public sealed class EvaluationTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new EvaluationExecutor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);
}

internal sealed class EvaluationExecutor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
    : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
{
    protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
    {
        var cases = testCases.ToList();

        // Configuration is checked before any fact runs or any server starts. When it is broken, every selected
        // criterion fact becomes a failed error case carrying the one-line problem (none of them runs, the run
        // exits non-zero and its summary reads "Failed!"), and no report is written over the last good one.
        string? problem = null;
        if (cases.Any(c => OutcomeRecorder.CriterionOf(c) is not null))
        {
            problem = ConfigurationCheck.Problem(Settings.ProcessEnvironment());
        }

        if (problem is not null)
        {
            var line = $"DurableEval configuration error, no criterion fact ran: {problem}";
            DiagnosticMessageSink.OnMessage(new DiagnosticMessage(line));
            cases = cases.Select(c => OutcomeRecorder.CriterionOf(c) is null
                    ? c
                    : new ExecutionErrorTestCase(DiagnosticMessageSink, TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, c.TestMethod, line))
                .ToList();
        }

        using var runner = new EvaluationAssemblyRunner(TestAssembly, cases, DiagnosticMessageSink, executionMessageSink, executionOptions, publishReport: problem is null);
        await runner.RunAsync();
    }
}

internal sealed class EvaluationAssemblyRunner(
    ITestAssembly testAssembly,
    IEnumerable<IXunitTestCase> testCases,
    IMessageSink diagnosticMessageSink,
    IMessageSink executionMessageSink,
    ITestFrameworkExecutionOptions executionOptions,
    bool publishReport)
    : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
{
    private readonly OutcomeRecorder outcomes = new();

    // The run's own wall time, from the runner's creation to the report.
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    private IMessageBus? bus;

    private LaneLog? lanes;

    /// <summary>
    /// The criteria collection runs in lanes (<see cref="LanedCollectionRunner"/>); every other collection as xUnit
    /// runs it.
    /// </summary>
    protected override Task<RunSummary> RunTestCollectionAsync(IMessageBus messageBus, ITestCollection testCollection, IEnumerable<IXunitTestCase> testCases, CancellationTokenSource cancellationTokenSource)
    {
        if (testCollection.DisplayName != Servers.CriteriaCollection.Name)
        {
            return base.RunTestCollectionAsync(messageBus, testCollection, testCases, cancellationTokenSource);
        }

        // Under a configuration error (no report) the lane count may be the broken setting itself: one lane then.
        lanes = new LaneLog(clock);
        return new LanedCollectionRunner(
            testCollection, testCases, DiagnosticMessageSink, messageBus, TestCaseOrderer, new ExceptionAggregator(Aggregator), cancellationTokenSource,
            publishReport ? Settings.Current.Lanes : 1, lanes).RunAsync();
    }

    // Kept so the report step can raise an error message at the end; the base class holds the bus only locally.
    protected override IMessageBus CreateMessageBus() => bus = new RecordingMessageBus(base.CreateMessageBus(), outcomes);

    protected override async Task BeforeTestAssemblyFinishedAsync()
    {
        await base.BeforeTestAssemblyFinishedAsync();
        if (!publishReport)
        {
            return;
        }

        // A report that cannot be written fails the run (the aggregator) and says why at default verbosity (the
        // error message; the adapter prints only the type of a cleanup failure).
        try
        {
            var selected = TestCases.Select(OutcomeRecorder.KeyOf).OfType<FactKey>().ToHashSet();
            var lines = ReportPublisher.Publish(Settings.Current, selected, outcomes, DateTimeOffset.UtcNow, clock.Elapsed, lanes);
            foreach (var line in lines)
            {
                // Shown at default verbosity because xunit.runner.json turns diagnostic messages on.
                DiagnosticMessageSink.OnMessage(new DiagnosticMessage(line));
            }
        }
        catch (Exception e) when (e is ReportWriteException or PolicyGateException or DurableEval.Evaluation.ProfileException or DurableEval.Evaluation.PolicyException)
        {
            bus?.QueueMessage(new ErrorMessage(TestCases.Cast<ITestCase>(), e));
            Aggregator.Add(e);
        }
    }
}
