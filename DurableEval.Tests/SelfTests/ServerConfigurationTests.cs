using System.Diagnostics;
using DurableEval.Tests.Servers;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// A server that cannot be had is reported, not thrown and not waited on: one line naming the variable to fix,
/// within a bound. Nothing here reaches a real server or the network.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ServerConfigurationTests
{
    [Fact]
    public async Task MissingTestServerPathIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"durableeval-missing-{Guid.NewGuid():N}");

        await AssertUnavailableAsync(path, "does not exist");
    }

    [Fact]
    public async Task DirectoryAsTestServerPathIsNamed()
    {
        var path = Directory.CreateTempSubdirectory("de-dir-").FullName;
        try
        {
            await AssertUnavailableAsync(path, "is a directory");
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    // Skippable rather than passing vacuously: Windows has no execute bit to withhold.
    [SkippableFact]
    public async Task NonExecutableTestServerPathIsNamed()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new SkipException("Windows has no execute permission bit");
        }

        var path = Path.GetTempFileName();
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await AssertUnavailableAsync(path, "is not executable");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task UnreachableExternalServerIsNamedWithinItsTimeout()
    {
        var settings = Settings.FromEnvironment(new Dictionary<string, string>
        {
            ["TEMPORAL_ADDRESS"] = "127.0.0.1:1",
            [Settings.StartTimeoutVariable] = "10",
        });
        var fixture = new ServerFixture(settings);
        try
        {
            var clock = Stopwatch.StartNew();
            var (lease, reason, misconfigured) = await fixture.AcquireAsync(ServerNeed.Any, "EX-01");

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Null(lease);
            Assert.True(misconfigured, "a configured but unreachable TEMPORAL_ADDRESS must fail the run, not skip");
            AssertOneLine(reason);
            Assert.Contains("TEMPORAL_ADDRESS=127.0.0.1:1", reason, StringComparison.Ordinal);

            // The fixture's own settings reach the SDK: a real connection to the closed port was attempted.
            Assert.DoesNotContain("TargetHost is required", reason, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    // A program that exists and is executable but exits at once: the start is retried once with a doubled
    // bound (recorded), then the configured path is reported as an error naming the variable.
    [SkippableFact]
    public async Task ATestServerThatExitsAtOnceIsRetriedOnceThenAnError()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new SkipException("needs a POSIX shell script");
        }

        var path = Path.Combine(Path.GetTempPath(), $"durableeval-exits-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\nexit 3\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stats = new ServerStats();
        var settings = Settings.FromEnvironment(new Dictionary<string, string>
        {
            [Settings.TestServerPathVariable] = path,
            [Settings.StartTimeoutVariable] = "2",
        });
        var fixture = new ServerFixture(settings, stats);
        try
        {
            var clock = Stopwatch.StartNew();
            var (lease, reason, misconfigured) = await fixture.AcquireAsync(ServerNeed.TimeSkipping, "EX-01");

            // At most the first bound (2 s) plus the doubled retry bound (4 s), with slack for a loaded machine.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Null(lease);
            Assert.True(misconfigured);
            AssertOneLine(reason);
            Assert.Contains($"{Settings.TestServerPathVariable}={path}", reason, StringComparison.Ordinal);
            Assert.Contains("did not start (tried twice)", reason, StringComparison.Ordinal);
            Assert.Equal([ServerKind.TimeSkipping], stats.Retries.Select(r => r.Kind));
        }
        finally
        {
            await fixture.DisposeAsync();
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("localhost")]
    [InlineData("localhost:notaport")]
    [InlineData("localhost:70000")]
    [InlineData("http://localhost:7233/path")]
    public async Task AnUnparsableTemporalAddressIsAnErrorNamingTheVariable(string address)
    {
        var settings = Settings.FromEnvironment(new Dictionary<string, string> { ["TEMPORAL_ADDRESS"] = address });
        var fixture = new ServerFixture(settings, new ServerStats());
        try
        {
            var clock = Stopwatch.StartNew();
            var (lease, reason, misconfigured) = await fixture.AcquireAsync(ServerNeed.Any, "EX-01");

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed.TotalSeconds:0.0} s: the address was not rejected before connecting");
            Assert.Null(lease);
            Assert.True(misconfigured);
            AssertOneLine(reason);
            Assert.Contains($"TEMPORAL_ADDRESS={address} is not host:port", reason, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("localhost:7233")]
    [InlineData("127.0.0.1:7233")]
    [InlineData("[::1]:7233")]
    [InlineData("my-ns.a1b2c.tmprl.cloud:7233")]
    public void AWellFormedTemporalAddressIsAccepted(string address) => ExternalAddress.Require(address);

    [Fact]
    public void OnlyConfiguredServersAreErrorsWhenUnusable()
    {
        var unconfigured = new ServerFixture(Settings.FromEnvironment(new Dictionary<string, string>()), new ServerStats());
        var configured = new ServerFixture(Settings.FromEnvironment(new Dictionary<string, string>
        {
            [Settings.TestServerPathVariable] = "/x",
            [Settings.CliPathVariable] = "/y",
            ["TEMPORAL_ADDRESS"] = "localhost:7233",
        }), new ServerStats());

        Assert.All(Enum.GetValues<ServerKind>(), k => Assert.False(unconfigured.IsConfigured(k)));
        Assert.All(Enum.GetValues<ServerKind>(), k => Assert.True(configured.IsConfigured(k)));
    }

    [Fact]
    public void NonNumericStartTimeoutIsRejectedNamingTheVariable()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Settings.FromEnvironment(new Dictionary<string, string> { [Settings.StartTimeoutVariable] = "abc" }));

        Assert.Contains(Settings.StartTimeoutVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains("abc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartTimeoutIsReadInSeconds()
    {
        var settings = Settings.FromEnvironment(new Dictionary<string, string> { [Settings.StartTimeoutVariable] = "7.5" });

        Assert.Equal(TimeSpan.FromSeconds(7.5), settings.ServerStartTimeout);
    }

    private static async Task AssertUnavailableAsync(string path, string problem)
    {
        var settings = Settings.FromEnvironment(new Dictionary<string, string> { [Settings.TestServerPathVariable] = path });
        var fixture = new ServerFixture(settings);
        try
        {
            var clock = Stopwatch.StartNew();
            var (lease, reason, misconfigured) = await fixture.AcquireAsync(ServerNeed.TimeSkipping, "EX-01");

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Null(lease);
            Assert.True(misconfigured, "a configured but unusable test server must fail the run, not skip");
            AssertOneLine(reason);
            Assert.Contains($"{Settings.TestServerPathVariable}={path}", reason, StringComparison.Ordinal);
            Assert.Contains(problem, reason, StringComparison.Ordinal);

            // The fixture remembers the verdict: a second fact gets the same answer without a second attempt.
            var (again, sameReason, _) = await fixture.AcquireAsync(ServerNeed.TimeSkipping, "EX-02");
            Assert.Null(again);
            Assert.Equal(reason, sameReason);

            // A probe's fixture keeps its findings to itself: the run's environment block must not show them.
            Assert.DoesNotContain(ServerStats.Run.Unavailable.Values, v => v.Contains(path, StringComparison.Ordinal));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static void AssertOneLine(string text) =>
        Assert.False(text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal), $"not one line: {text}");
}
