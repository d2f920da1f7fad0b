using Xunit.Abstractions;
using Xunit.Sdk;

namespace DurableEval.Tests.Reporting;

/// <summary>
/// Lanes run facts of one test class at the same time, each through a class runner of its own, so each would
/// announce the class. Runners (the VSTest adapter among them) keep class metadata by the class's id while it is
/// open and fail catastrophically on a second "class starting" for an open class. This bus forwards a class's
/// "starting" only when no lane has it open, and its "finished" only when the last lane closes it.
/// </summary>
internal sealed class ClassOnceMessageBus(IMessageBus inner, Dictionary<string, int> openClasses, Lock gate) : IMessageBus
{
    public bool QueueMessage(IMessageSinkMessage message)
    {
        switch (message)
        {
            case ITestClassStarting starting:
                lock (gate)
                {
                    var key = Key(starting.TestClass);
                    var open = openClasses.GetValueOrDefault(key);
                    openClasses[key] = open + 1;
                    if (open > 0)
                    {
                        return true;
                    }

                    return inner.QueueMessage(message);
                }

            case ITestClassFinished finished:
                lock (gate)
                {
                    var key = Key(finished.TestClass);
                    var open = openClasses.GetValueOrDefault(key) - 1;
                    openClasses[key] = Math.Max(open, 0);
                    if (open > 0)
                    {
                        return true;
                    }

                    return inner.QueueMessage(message);
                }

            default:
                return inner.QueueMessage(message);
        }
    }

    // The inner bus belongs to the collection runner, which disposes it.
    public void Dispose()
    {
    }

    private static string Key(ITestClass testClass) => testClass.TestCollection.UniqueID + "/" + testClass.Class.Name;
}
