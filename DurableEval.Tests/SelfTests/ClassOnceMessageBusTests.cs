using DurableEval.Tests.Reporting;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.SelfTests;

[Trait("Suite", "SelfTest")]
public sealed class ClassOnceMessageBusTests
{
    /// <summary>Two lanes running facts of one class at once: the runner sees the class open once and closed once.</summary>
    [Fact]
    public void AClassOpenInTwoLanesIsAnnouncedOnce()
    {
        var (bus1, bus2, seen) = TwoLanes();
        var testClass = ClassOf(typeof(ClassOnceMessageBusTests));

        bus1.QueueMessage(new TestClassStarting([], testClass));
        bus2.QueueMessage(new TestClassStarting([], testClass));
        bus1.QueueMessage(new TestClassFinished([], testClass, 1, 0, 0, 0));
        Assert.Equal(["starting"], seen);

        bus2.QueueMessage(new TestClassFinished([], testClass, 1, 0, 0, 0));
        Assert.Equal(["starting", "finished"], seen);
    }

    /// <summary>One lane after another (the facts that run alone): each run of the class is announced as usual.</summary>
    [Fact]
    public void AClassRunAgainLaterIsAnnouncedAgain()
    {
        var (bus1, bus2, seen) = TwoLanes();
        var testClass = ClassOf(typeof(ClassOnceMessageBusTests));
        var other = ClassOf(typeof(ParallelRunTests));

        bus1.QueueMessage(new TestClassStarting([], testClass));
        bus2.QueueMessage(new TestClassStarting([], other));
        bus1.QueueMessage(new TestClassFinished([], testClass, 1, 0, 0, 0));
        bus2.QueueMessage(new TestClassFinished([], other, 1, 0, 0, 0));
        bus1.QueueMessage(new TestClassStarting([], testClass));
        bus1.QueueMessage(new TestClassFinished([], testClass, 1, 0, 0, 0));

        Assert.Equal(["starting", "starting", "finished", "finished", "starting", "finished"], seen);
    }

    private static (IMessageBus Lane1, IMessageBus Lane2, List<string> Seen) TwoLanes()
    {
        var seen = new List<string>();
        var inner = new RecordingBus(seen);
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        var gate = new Lock();
        return (new ClassOnceMessageBus(inner, open, gate), new ClassOnceMessageBus(inner, open, gate), seen);
    }

    private static TestClass ClassOf(Type type)
    {
        var assembly = new TestAssembly(Reflector.Wrap(type.Assembly));
        var collection = new TestCollection(assembly, null, "Criteria");
        return new TestClass(collection, Reflector.Wrap(type));
    }

    private sealed class RecordingBus(List<string> seen) : IMessageBus
    {
        public bool QueueMessage(IMessageSinkMessage message)
        {
            seen.Add(message switch
            {
                ITestClassStarting => "starting",
                ITestClassFinished => "finished",
                _ => "other",
            });
            return true;
        }

        public void Dispose()
        {
        }
    }
}
