using System.Reflection;
using System.Runtime.InteropServices;

namespace DurableEval.Tests.Reliability;

/// <summary>
/// Finds the DurableEval.Worker build and the host that runs it. The path is asked of the worker project at build
/// time and baked into this assembly (DurableEval.Tests.csproj), so dotnet test, an IDE and a fresh clone after
/// one build all find the same file; the host is the dotnet executable of the runtime running these tests.
/// </summary>
public static class WorkerExecutable
{
    public const string MetadataKey = "DurableEval.WorkerPath";

    /// <summary>The worker's built assembly.</summary>
    public static string AssemblyPath()
    {
        var baked = typeof(WorkerExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(baked))
        {
            throw new InvalidOperationException($"this test assembly carries no {MetadataKey}; build the solution (dotnet build DurableEval.sln)");
        }

        return File.Exists(baked)
            ? baked
            : throw new FileNotFoundException($"the worker is not built at {baked}; build the solution (dotnet build DurableEval.sln)", baked);
    }

    /// <summary>The program to start and the arguments that come before the worker's own.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Launcher()
    {
        var assembly = AssemblyPath();

        // <dotnet root>/shared/Microsoft.NETCore.App/<version>/ holds the running runtime; its root holds the host.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var root = Directory.GetParent(runtime)?.Parent?.Parent?.FullName;
        var host = root is null ? null : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        if (host is not null && File.Exists(host))
        {
            return (host, [assembly]);
        }

        // Otherwise the apphost the build puts beside the assembly.
        var apphost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(apphost) ? (apphost, []) : ("dotnet", [assembly]);
    }
}
