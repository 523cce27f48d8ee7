using System.Collections;
using System.Runtime.InteropServices;

namespace AgentHost.Hosting;

/// <summary>The process environment the kernel reads, injectable so tests control it.</summary>
/// <param name="Variables">Environment variables (case-sensitive names, as on Unix).</param>
/// <param name="CurrentDirectory">The working directory.</param>
/// <param name="HomeDirectory">The user's home directory.</param>
/// <param name="Platform">The operating system.</param>
public sealed record HostEnvironment(
    IReadOnlyDictionary<string, string> Variables,
    string CurrentDirectory,
    string HomeDirectory,
    OSPlatform Platform)
{
    /// <summary>Reads the real process environment.</summary>
    /// <returns>The environment.</returns>
    public static HostEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        var platform = OperatingSystem.IsWindows() ? OSPlatform.Windows
            : OperatingSystem.IsMacOS() ? OSPlatform.OSX
            : OSPlatform.Linux;
        return new HostEnvironment(
            variables,
            Environment.CurrentDirectory,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            platform);
    }

    /// <summary>Returns a variable's value, or <see langword="null"/> when unset or empty.</summary>
    /// <param name="name">The variable name.</param>
    /// <returns>The value.</returns>
    public string? Get(string name) =>
        Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
