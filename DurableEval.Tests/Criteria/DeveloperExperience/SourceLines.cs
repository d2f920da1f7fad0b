namespace DurableEval.Tests.Criteria;

/// <summary>Counts the lines of C# a reader has to write: not blank, not only a comment or a preprocessor line.</summary>
public static class SourceLines
{
    public static int CountCode(string source) => source
        .Split('\n')
        .Select(line => line.Trim())
        .Count(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith('#'));

    /// <summary>Code lines that are not using directives or the namespace line: the part that differs between SDKs.</summary>
    public static int CountBody(string source) => source
        .Split('\n')
        .Select(line => line.Trim())
        .Count(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith('#')
            && !line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("namespace ", StringComparison.Ordinal));
}
