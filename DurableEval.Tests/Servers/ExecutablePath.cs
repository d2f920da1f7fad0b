namespace DurableEval.Tests.Servers;

/// <summary>A server path from configuration that cannot work; its message is the whole story in one line.</summary>
public sealed class ServerConfigurationException(string message) : Exception(message);

internal static class ExecutablePath
{
    /// <summary>Checks a configured server path before the SDK gets it, so the user sees which variable is wrong.</summary>
    public static void Require(string path, string variable, string what)
    {
        if (Directory.Exists(path))
        {
            throw new ServerConfigurationException($"{variable}={path} is a directory; point it at {what} executable");
        }

        if (!File.Exists(path))
        {
            throw new ServerConfigurationException($"{variable}={path} does not exist; point it at {what} executable or unset it");
        }

        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new ServerConfigurationException($"{variable}={path} is not executable; run chmod +x on it");
        }
    }
}

internal static class ExternalAddress
{
    /// <summary>Rejects a TEMPORAL_ADDRESS that is not host:port before the SDK turns it into a vaguer error.</summary>
    public static void Require(string? address)
    {
        if (address is null)
        {
            return;
        }

        var valid = Uri.TryCreate("tcp://" + address, UriKind.Absolute, out var uri)
            && uri.Port is > 0 and <= 65535
            && !string.IsNullOrEmpty(uri.Host)
            && uri.PathAndQuery is "/" or ""
            && string.IsNullOrEmpty(uri.UserInfo)
            && address.Contains(':', StringComparison.Ordinal);
        if (!valid)
        {
            throw new ServerConfigurationException(
                $"TEMPORAL_ADDRESS={address} is not host:port; set it to e.g. localhost:7233 (or your namespace endpoint), or unset it");
        }
    }
}
