using System.Collections.Concurrent;
using DurableEval.Evaluation;
using Xunit.Abstractions;

namespace DurableEval.Tests.Reporting;

/// <summary>Every criterion fact's passed / failed / skipped outcome as xUnit reported it.</summary>
public sealed class OutcomeRecorder
{
    private readonly ConcurrentDictionary<FactKey, FactOutcome> outcomes = new();

    public void Record(IMessageSinkMessage message)
    {
        var (test, state, text) = message switch
        {
            ITestPassed p => (p.Test, FactState.Passed, string.Empty),
            ITestFailed f => (f.Test, FactState.Failed, string.Join(" ", f.Messages)),
            ITestSkipped s => (s.Test, FactState.Skipped, s.Reason),
            _ => (null, FactState.NoFact, string.Empty),
        };
        TimeSpan? duration = message is ITestResultMessage { ExecutionTime: var seconds } ? TimeSpan.FromSeconds((double)seconds) : null;
        if (test is null || KeyOf(test.TestCase) is not { } id)
        {
            return;
        }

        var fact = $"{test.TestCase.TestMethod.TestClass.Class.Name.Split('.')[^1]}.{test.TestCase.TestMethod.Method.Name}";
        outcomes[id] = new FactOutcome(state, fact, Servers.ServerFixture.OneLine(text), duration);
    }

    public FactOutcome? Find(FactKey key) => outcomes.GetValueOrDefault(key);

    public static string? CriterionOf(ITestCase testCase) =>
        testCase.Traits.TryGetValue("Criterion", out var ids) && ids.Count > 0 ? ids[0] : null;

    /// <summary>The engine and criterion a criterion fact measures; null for self-tests.</summary>
    public static FactKey? KeyOf(ITestCase testCase) =>
        CriterionOf(testCase) is not { } id
            ? null
            : new FactKey(testCase.Traits.TryGetValue("Engine", out var engines) && engines.Count > 0 ? engines[0] : Engines.Temporal.Id, id);
}

/// <summary>Forwards every message unchanged after letting the recorder see it, synchronously.</summary>
internal sealed class RecordingMessageBus(Xunit.Sdk.IMessageBus inner, OutcomeRecorder recorder) : Xunit.Sdk.IMessageBus
{
    public bool QueueMessage(IMessageSinkMessage message)
    {
        recorder.Record(message);
        return inner.QueueMessage(message);
    }

    public void Dispose() => inner.Dispose();
}
