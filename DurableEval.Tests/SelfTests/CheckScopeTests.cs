using DurableEval.Evaluation;
using DurableEval.Tests.Evidence;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>A block's checks: only declared ones, each once, and every declared check accounted for at the end.</summary>
[Trait("Suite", "SelfTest")]
public sealed class CheckScopeTests
{
    private static readonly IReadOnlyList<CheckSpec> Specs =
    [
        CheckSpec.Core("completes", "the workflow completes"),
        CheckSpec.Edge("replays", "the history replays"),
        CheckSpec.Production("survives-kill", "a hard kill is survived"),
    ];

    [Fact]
    public void RecordsOutcomesOfDeclaredChecks()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);

        Assert.True(scope.Expect("completes", true, "3 of 3"));
        Assert.False(scope.Expect("replays", false, "mismatch\nat event 7"));
        scope.NotRun("survives-kill", "no separate process");
        var results = scope.Complete(null).ToDictionary(r => r.Id);

        Assert.Equal((CheckKind.Core, CheckOutcome.Passed, "3 of 3"), (results["completes"].Kind, results["completes"].Outcome, results["completes"].Detail));
        Assert.Equal(CheckOutcome.Failed, results["replays"].Outcome);
        Assert.Equal("mismatch at event 7", results["replays"].Detail);
        Assert.Equal((CheckKind.Production, CheckOutcome.NotRun), (results["survives-kill"].Kind, results["survives-kill"].Outcome));
    }

    [Fact]
    public void UndeclaredCheckIsRejected()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);

        var e = Assert.Throws<InvalidOperationException>(() => scope.Expect("typo", true, "observed"));
        Assert.Contains("'typo'", e.Message, StringComparison.Ordinal);
        Assert.False(scope.IsRecorded("typo"));
    }

    [Fact]
    public void RecordingTwiceIsRejected()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);
        scope.Expect("completes", true, "first");

        Assert.Throws<InvalidOperationException>(() => scope.Expect("completes", false, "second"));
        Assert.Throws<InvalidOperationException>(() => scope.NotRun("completes", "third"));
        Assert.Equal("first", scope.Complete(null).Single(r => r.Id == "completes").Detail);
    }

    [Fact]
    public void UnrecordedChecksFailAsNeverRecorded()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);
        scope.Expect("completes", true, "observed");

        var results = scope.Complete(null);

        Assert.Equal(3, results.Count);
        Assert.All(results.Where(r => r.Id != "completes"), r =>
        {
            Assert.Equal(CheckOutcome.Failed, r.Outcome);
            Assert.Contains("never recorded", r.Detail, StringComparison.Ordinal);
        });
        Assert.Equal(CheckOutcome.Passed, results.Single(r => r.Id == "completes").Outcome);
    }

    [Fact]
    public void UnrecordedChecksAfterAnExceptionNameIt()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);
        scope.Expect("completes", true, "observed");

        var results = scope.Complete(new TimeoutException("block exceeded 120 s"));

        Assert.All(results.Where(r => r.Id != "completes"), r =>
        {
            Assert.Equal(CheckOutcome.Failed, r.Outcome);
            Assert.Contains(nameof(TimeoutException), r.Detail, StringComparison.Ordinal);
            Assert.Contains("block exceeded 120 s", r.Detail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void AllNotRunKeepsKindsAndGivesTheReason()
    {
        var results = CheckScope.AllNotRun(Specs, "time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH");

        Assert.Equal(Specs.Select(s => (s.Id, s.Kind)), results.Select(r => (r.Id, r.Kind)));
        Assert.All(results, r =>
        {
            Assert.Equal(CheckOutcome.NotRun, r.Outcome);
            Assert.Equal("time-skipping test server unavailable; set DURABLEEVAL_TEST_SERVER_PATH", r.Detail);
        });
    }

    [Fact]
    public void ScopeCarriesItsCancellation()
    {
        using var source = new CancellationTokenSource();
        var scope = new CheckScope(Specs, source.Token);

        source.Cancel();

        Assert.True(scope.Cancellation.IsCancellationRequested);
    }

    [Fact]
    public void ASealedScopeRejectsWritesAndKeepsItsResults()
    {
        var scope = new CheckScope(Specs, CancellationToken.None);
        scope.Expect("completes", true, "observed");

        scope.Seal("block exceeded 120 s");
        var e = Assert.Throws<InvalidOperationException>(() => scope.Expect("replays", true, "late"));

        Assert.Contains("block exceeded 120 s", e.Message, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Failed, scope.Complete(null).Single(r => r.Id == "replays").Outcome);
    }
}
