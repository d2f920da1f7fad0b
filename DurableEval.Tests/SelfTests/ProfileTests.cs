using DurableEval.Evaluation;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>The profile: defaults, then the file, then environment overrides; every broken input named in one line.</summary>
[Trait("Suite", "SelfTest")]
public sealed class ProfileTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void DefaultsWithoutFileOrEnvironment()
    {
        var profile = ProfileLoader.Load(null, NoEnvironment);

        Assert.Equal(EvaluationProfile.Default, profile);
        Assert.Equal(WorkflowDuration.Minutes, profile.Duration);
        Assert.Equal("defaults", profile.Source);
    }

    [Fact]
    public void FileValuesAreRead()
    {
        WithFile("""{ "duration": "hours", "scale": "large", "language": "fsharp" }""", path =>
        {
            var profile = ProfileLoader.Load(path, NoEnvironment);

            Assert.Equal(WorkflowDuration.Hours, profile.Duration);
            Assert.Equal("large", profile.Scale);
            Assert.Equal("fsharp", profile.Language);
            Assert.Equal(EvaluationProfile.Default.SideEffects, profile.SideEffects);
            Assert.Contains(Path.GetFileName(path), profile.Source, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void EnvironmentDurationBeatsTheFile()
    {
        WithFile("""{ "duration": "hours" }""", path =>
        {
            var profile = ProfileLoader.Load(path, new Dictionary<string, string> { ["DURABLEEVAL_PROFILE_DURATION"] = "seconds" });

            Assert.Equal(WorkflowDuration.Seconds, profile.Duration);
            Assert.Contains("DURABLEEVAL_PROFILE_DURATION", profile.Source, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void SideEffectsOverrideMapsToItsField()
    {
        var profile = ProfileLoader.Load(null, new Dictionary<string, string> { ["DURABLEEVAL_PROFILE_SIDE_EFFECTS"] = "none" });

        Assert.Equal("none", profile.SideEffects);
        Assert.Contains(("sideEffects", "none"), profile.Fields);
    }

    [Fact]
    public void MalformedJsonNamesTheFileInOneLine()
    {
        WithFile("""{ "duration": "hours" """, path =>
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load(path, NoEnvironment));

            AssertOneLine(e.Message);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void UnknownFieldIsNamed()
    {
        WithFile("""{ "durration": "hours" }""", path =>
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load(path, NoEnvironment));

            AssertOneLine(e.Message);
            Assert.Contains("'durration'", e.Message, StringComparison.Ordinal);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void WrongDurationNamesTheFieldAndTheChoices()
    {
        WithFile("""{ "duration": "weeks" }""", path =>
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load(path, NoEnvironment));

            AssertOneLine(e.Message);
            Assert.Contains("'duration'", e.Message, StringComparison.Ordinal);
            Assert.Contains("seconds, minutes, hours, days, months", e.Message, StringComparison.Ordinal);
            Assert.Contains("weeks", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void WrongDurationFromTheEnvironmentNamesTheVariable()
    {
        var e = Assert.Throws<ProfileException>(() =>
            ProfileLoader.Load(null, new Dictionary<string, string> { ["DURABLEEVAL_PROFILE_DURATION"] = "2" }));

        AssertOneLine(e.Message);
        Assert.Contains("DURABLEEVAL_PROFILE_DURATION", e.Message, StringComparison.Ordinal);
        Assert.Contains("'duration'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("minutes, hours")]
    [InlineData("3")]
    [InlineData("Minutes|Hours")]
    public void DurationMustBeOneNameNotFlagsOrNumbers(string value)
    {
        var e = Assert.Throws<ProfileException>(() =>
            ProfileLoader.Load(null, new Dictionary<string, string> { ["DURABLEEVAL_PROFILE_DURATION"] = value }));

        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonStringValueNamesTheField()
    {
        WithFile("""{ "scale": 1000 }""", path =>
        {
            var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load(path, NoEnvironment));

            AssertOneLine(e.Message);
            Assert.Contains("'scale'", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void MissingFileIsAProfileError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"durableeval-missing-{Guid.NewGuid():N}.json");

        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Load(path, NoEnvironment));

        AssertOneLine(e.Message);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    private static void AssertOneLine(string message) =>
        Assert.False(message.Contains('\n', StringComparison.Ordinal) || message.Contains('\r', StringComparison.Ordinal), $"not one line: {message}");

    private static void WithFile(string json, Action<string> test)
    {
        var path = Path.Combine(Path.GetTempPath(), $"durableeval-profile-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            test(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
