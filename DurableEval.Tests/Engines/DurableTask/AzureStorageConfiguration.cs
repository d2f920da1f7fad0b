using DurableEval.Tests.Servers;
using DurableEval.Workflows.DurableTask.AzureStorage;

namespace DurableEval.Tests.DurableTaskEngine;

/// <summary>
/// The cheap checks of the Azure Storage variables (<see cref="Settings.AzuritePathVariable"/>,
/// <see cref="Settings.AzureStorageConnectionStringVariable"/>), run by ConfigurationCheck before any fact and by
/// <see cref="AzuriteFixture"/> before it uses them: one line naming the variable, what is wrong and the fix.
/// </summary>
public static class AzureStorageConfiguration
{
    public static string? Problem(IReadOnlyDictionary<string, string> environment)
    {
        string? Get(string name) => environment.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        return (Get(Settings.AzuritePathVariable) is { } path ? PathProblem(path) : null)
            ?? (Get(Settings.AzureStorageConnectionStringVariable) is { } connection ? ConnectionStringProblem(connection) : null);
    }

    public static string? PathProblem(string path)
    {
        try
        {
            ExecutablePath.Require(path, Settings.AzuritePathVariable, "an azurite (npm install azurite puts one in node_modules/.bin)");
            return null;
        }
        catch (ServerConfigurationException e)
        {
            return e.Message;
        }
    }

    /// <summary>A connection string the Azure SDK can use names its queue, table and blob endpoints or an account (never quoted: it may hold a key).</summary>
    public static string? ConnectionStringProblem(string connectionString)
    {
        var parts = AzureStorageConnection.Parts(connectionString);
        var usable = parts.ContainsKey("UseDevelopmentStorage")
            || parts.ContainsKey("AccountName")
            || (parts.ContainsKey("QueueEndpoint") && parts.ContainsKey("TableEndpoint") && parts.ContainsKey("BlobEndpoint"));
        return usable
            ? null
            : $"{Settings.AzureStorageConnectionStringVariable} is not an Azure Storage connection string (it names no AccountName, no UseDevelopmentStorage and not all of BlobEndpoint, QueueEndpoint, TableEndpoint); set it to e.g. your account's connection string, or unset it to use Azurite from npm";
    }
}
