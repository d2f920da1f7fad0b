using DurableEval.Evaluation;
using DurableEval.Tests.Servers;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Runs the criteria collection in parallel lanes. Every block already gets a fresh server of its own, so facts
/// are independent: each lane takes the next fact in xUnit's serial order from one queue. Facts listed in
/// <see cref="RunAlone"/> run after every lane is done, one at a time, with the server pool paused, so nothing
/// runs beside them. One lane (DURABLEEVAL_PARALLEL=1) is xUnit's own serial run, unchanged.
/// </summary>
internal sealed class LanedCollectionRunner(
    ITestCollection testCollection,
    IEnumerable<IXunitTestCase> testCases,
    IMessageSink diagnosticMessageSink,
    IMessageBus messageBus,
    ITestCaseOrderer testCaseOrderer,
    ExceptionAggregator aggregator,
    CancellationTokenSource cancellationTokenSource,
    int laneCount,
    LaneLog log)
    : XunitTestCollectionRunner(testCollection, testCases, diagnosticMessageSink, messageBus, testCaseOrderer, aggregator, cancellationTokenSource)
{
    protected override async Task<RunSummary> RunTestClassesAsync()
    {
        if (laneCount <= 1)
        {
            var start = log.Now;
            var summary = await base.RunTestClassesAsync();
            foreach (var testCase in SerialOrder())
            {
                log.Ran("lane 1", OutcomeRecorder.KeyOf(testCase)?.ToString() ?? testCase.DisplayName, start);
            }

            return summary;
        }

        var ordered = SerialOrder();
        var alone = ordered.Where(RunsAlone).ToList();
        var queue = new Queue<IXunitTestCase>(ordered.Where(c => !RunsAlone(c)));
        var total = new RunSummary();
        var gate = new Lock();
        var fixture = CollectionFixtureMappings.TryGetValue(typeof(ServerFixture), out var found) ? (ServerFixture)found : null;
        var reserved = false;

        async Task LaneAsync(string lane)
        {
            while (!CancellationTokenSource.IsCancellationRequested)
            {
                IXunitTestCase? next;
                lock (gate)
                {
                    if (!queue.TryDequeue(out next))
                    {
                        return;
                    }

                    // Near the end of the parallel facts, the pool starts the servers the facts that run alone will
                    // take (about one each), beside the last parallel facts rather than in front of each alone one.
                    if (!reserved && alone.Count > 0 && queue.Count <= alone.Count)
                    {
                        reserved = true;
                        fixture?.ReservePool(laneCount + alone.Count);
                    }
                }

                var one = await RunOneAsync(lane, next);
                lock (gate)
                {
                    total.Aggregate(one);
                }
            }
        }

        // Off xUnit's synchronization context: each lane's awaits continue on the thread pool, not on its two threads.
        await Task.WhenAll(Enumerable.Range(1, laneCount).Select(i => Task.Run(() => LaneAsync($"lane {i}"))));

        if (alone.Count > 0 && fixture is not null)
        {
            // A start the pool began must not run beside the first fact that runs alone.
            await fixture.PausePoolAsync();
        }

        foreach (var testCase in alone)
        {
            if (CancellationTokenSource.IsCancellationRequested)
            {
                break;
            }

            total.Aggregate(await RunOneAsync(LaneRun.AloneLane, testCase));
        }

        return total;
    }

    private static bool RunsAlone(IXunitTestCase testCase) => OutcomeRecorder.CriterionOf(testCase) is { } id && RunAlone.Applies(id);

    // The order xUnit's serial run uses: classes as they come, each class's facts by the collection's orderer.
    private List<IXunitTestCase> SerialOrder() =>
        TestCases.GroupBy(tc => tc.TestMethod.TestClass, TestClassComparer.Instance)
            .SelectMany(g => TestCaseOrderer.OrderTestCases(g))
            .ToList();

    private readonly Dictionary<string, int> openClasses = new(StringComparer.Ordinal);

    private readonly Lock openClassesGate = new();

    private async Task<RunSummary> RunOneAsync(string lane, IXunitTestCase testCase)
    {
        var start = log.Now;

        // One class runner per fact, with a bus that announces each class once while any lane has it open.
        var testClass = testCase.TestMethod.TestClass;
        var bus = new ClassOnceMessageBus(MessageBus, openClasses, openClassesGate);
        var summary = await new XunitTestClassRunner(
            testClass, (IReflectionTypeInfo)testClass.Class, [testCase], DiagnosticMessageSink, bus, TestCaseOrderer,
            new ExceptionAggregator(Aggregator), CancellationTokenSource, CollectionFixtureMappings).RunAsync();
        log.Ran(lane, OutcomeRecorder.KeyOf(testCase)?.ToString() ?? testCase.DisplayName, start);
        return summary;
    }
}
