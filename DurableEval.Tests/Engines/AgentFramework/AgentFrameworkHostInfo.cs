using System.Reflection;
using DurableEval.Evaluation;
using Microsoft.Agents.AI.Workflows;

namespace DurableEval.Tests.AgentFramework;

/// <summary>What the report shows as the "server" of an Agent Framework check: the in-process execution of the referenced package.</summary>
public static class AgentFrameworkHostInfo
{
    /// <summary>The package version, read from the loaded assembly (its informational version without the commit).</summary>
    public static string PackageVersion { get; } =
        (typeof(Workflow).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(Workflow).Assembly.GetName().Version?.ToString()
            ?? "unknown").Split('+')[0];

    public static ServerInfo InProcess { get; } =
        new("agent framework in-process execution", PackageVersion, "a fresh workflow and checkpoint folder per block");

    public static ServerInfo WorkerProcesses { get; } =
        new("agent framework in-process execution in DurableEval.Worker processes", PackageVersion, "a fresh checkpoint folder and journal per block");

    /// <summary>A fresh, empty checkpoint folder; the caller deletes it (<see cref="DeleteQuietly"/>).</summary>
    public static string NewCheckpointFolder(string purpose)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"durableeval-af-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // A temp file a dying process still held; the OS cleans the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
