using System.Runtime.CompilerServices;
using Xunit;

namespace DurableEval.Tests.SelfTests.Snapshots;

/// <summary>
/// Verify's conventions without the Verify package (not restorable here): {Class}.{Method}.verified.{ext} beside
/// the test, a .received file on mismatch, and DURABLEEVAL_ACCEPT_SNAPSHOTS=1 to accept what was received.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "DURABLEEVAL_ACCEPT_SNAPSHOTS";

    public static void Verify(
        string actual,
        string extension,
        string className,
        [CallerMemberName] string method = "",
        [CallerFilePath] string sourceFile = "")
    {
        var directory = Path.GetDirectoryName(sourceFile)!;
        var stem = Path.Combine(directory, $"{className}.{method}");
        var verified = $"{stem}.verified.{extension}";
        var received = $"{stem}.received.{extension}";
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        if (!File.Exists(verified))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"No verified snapshot yet. Review {received} and accept it with {AcceptVariable}=1 (or rename it to {Path.GetFileName(verified)}).");
        }

        var expected = File.ReadAllText(verified);
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail($"Snapshot mismatch: {FirstDifference(expected, actual)}. Verified: {verified}; received: {received}. Accept with {AcceptVariable}=1 if the change is intended.");
    }

    internal static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var left = i < e.Length ? e[i] : "<end of file>";
            var right = i < a.Length ? a[i] : "<end of file>";
            if (left != right)
            {
                return $"line {i + 1}: expected \"{left}\" but received \"{right}\"";
            }
        }

        return "same lines, different bytes (line endings or a trailing newline)";
    }
}
