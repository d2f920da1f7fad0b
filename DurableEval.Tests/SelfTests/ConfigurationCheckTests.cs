using DurableEval.Tests.Reporting;
using Xunit;

namespace DurableEval.Tests.SelfTests;

/// <summary>
/// The check the test framework runs before any fact: a usable configuration passes; each broken input is one line
/// naming the file or variable, the field and the fix.
/// </summary>
[Trait("Suite", "SelfTest")]
public sealed class ConfigurationCheckTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "de-config-" + Guid.NewGuid().ToString("N"));

    public ConfigurationCheckTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void UsableConfigurationHasNoProblem()
    {
        var env = new Dictionary<string, string>
        {
            ["DURABLEEVAL_PROFILE"] = File("profile.json", """{ "duration": "hours" }"""),
            ["DURABLEEVAL_PROFILE_SCALE"] = "large",
            ["DURABLEEVAL_POLICY"] = File("policy.json", """{ "mode": "enforced", "minStars": 3 }"""),
            ["DURABLEEVAL_SERVER_START_TIMEOUT_SECONDS"] = "90",
        };

        Assert.Null(ConfigurationCheck.Problem(env));
    }

    public static TheoryData<string, string, string, string> Broken => new()
    {
        // situation, variable, value (a file's text when it starts with '{' or '['), what the line must name
        { "profile field", "DURABLEEVAL_PROFILE", """{ "duration": "forever" }""", "'duration'" },
        { "profile JSON", "DURABLEEVAL_PROFILE", """{ "duration": """, "not valid JSON" },
        { "profile unknown field", "DURABLEEVAL_PROFILE", """{ "durration": "hours" }""", "'durration'" },
        { "profile variable", "DURABLEEVAL_PROFILE_DURATION", "forever", "DURABLEEVAL_PROFILE_DURATION" },
        { "misspelt profile variable", "DURABLEEVAL_PROFILE_DURATON", "hours", "DURABLEEVAL_PROFILE_DURATON" },
        { "policy field", "DURABLEEVAL_POLICY", """{ "minStars": 9 }""", "'minStars'" },
        { "policy criterion", "DURABLEEVAL_POLICY", """{ "criteria": { "EX-99": 4 } }""", "criteria.EX-99" },
        { "baseline", "DURABLEEVAL_BASELINE", """[ "not results" ]""", "DURABLEEVAL_BASELINE" },
        { "start timeout", "DURABLEEVAL_SERVER_START_TIMEOUT_SECONDS", "soon", "DURABLEEVAL_SERVER_START_TIMEOUT_SECONDS" },
        { "lanes", "DURABLEEVAL_PARALLEL", "0", "DURABLEEVAL_PARALLEL" },
        { "server pool", "DURABLEEVAL_SERVER_POOL", "many", "DURABLEEVAL_SERVER_POOL" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void EachBrokenInputIsOneLineNamingWhereAndWhat(string situation, string variable, string value, string named)
    {
        var isFile = value.StartsWith('{') || value.StartsWith('[');
        var setting = isFile ? File(situation.Replace(' ', '-') + ".json", value) : value;

        var problem = ConfigurationCheck.Problem(new Dictionary<string, string> { [variable] = setting });

        Assert.NotNull(problem);
        Assert.DoesNotContain('\n', problem);
        Assert.Contains(named, problem, StringComparison.Ordinal);
        if (isFile)
        {
            Assert.Contains(setting, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MissingProfileFileNamesThePathAndTheVariable()
    {
        var missing = Path.Combine(folder, "nope.json");

        var problem = ConfigurationCheck.Problem(new Dictionary<string, string> { ["DURABLEEVAL_PROFILE"] = missing });

        Assert.NotNull(problem);
        Assert.Contains(missing, problem, StringComparison.Ordinal);
        Assert.Contains("DURABLEEVAL_PROFILE", problem, StringComparison.Ordinal);
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }
}
