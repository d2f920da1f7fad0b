using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The test cases xUnit discovers in this assembly, with the traits a runner filters on, found the way the
/// VSTest adapter finds them (xUnit's own discoverer), without starting a runner.
/// </summary>
internal static class InProcessDiscovery
{
    /// <summary>Bounds discovery so a hang in it fails the test instead of stalling the run.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly Lazy<Task<IReadOnlyList<ITestCase>>> Discovered = new(DiscoverAsync);

    public static Task<IReadOnlyList<ITestCase>> TestCasesAsync() => Discovered.Value;

    private static async Task<IReadOnlyList<ITestCase>> DiscoverAsync()
    {
        var sink = new CollectingSink();
        using var discoverer = new XunitTestFrameworkDiscoverer(
            Reflector.Wrap(typeof(InProcessDiscovery).Assembly), new NoSourceInformation(), new NullMessageSink());
        discoverer.Find(includeSourceInformation: false, sink, new DiscoveryOptions());
        await sink.Completed.WaitAsync(Bound);
        return sink.TestCases;
    }

    private sealed class CollectingSink : LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly List<ITestCase> testCases = [];
        private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completed => completed.Task;

        public IReadOnlyList<ITestCase> TestCases
        {
            get
            {
                lock (testCases)
                {
                    return testCases.ToList();
                }
            }
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestCaseDiscoveryMessage discovered:
                    lock (testCases)
                    {
                        testCases.Add(discovered.TestCase);
                    }

                    break;
                case IDiscoveryCompleteMessage:
                    completed.TrySetResult();
                    break;
            }

            return true;
        }
    }

    private sealed class NoSourceInformation : LongLivedMarshalByRefObject, ISourceInformationProvider
    {
        public ISourceInformation GetSourceInformation(ITestCase testCase) => new SourceInformation();

        public void Dispose()
        {
        }
    }

    /// <summary>Every option left unset, so xUnit applies its defaults as a runner with no configuration would.</summary>
    private sealed class DiscoveryOptions : ITestFrameworkDiscoveryOptions
    {
        private readonly Dictionary<string, object?> values = [];

        public TValue GetValue<TValue>(string name) =>
            values.TryGetValue(name, out var value) && value is TValue typed ? typed : default!;

        public void SetValue<TValue>(string name, TValue value) => values[name] = value;
    }
}
