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

    /// <summary>
    /// The variables a project's files may read, where they differ from <see cref="Variables"/>: <c>${VAR}</c> in the
    /// values of its <c>.agent/config.yaml</c> and <c>.mcp.json</c>, and the variable its <c>mcp.servers.*.bearer_token_env</c>
    /// names. <see langword="null"/> (the CLI): all of <see cref="Variables"/>, the user's own. A shared server sets its
    /// sessions' environment (the allow-list and <c>server.session_env</c>), so that a member's project cannot copy the
    /// server's token, keys or store URI into what it configures.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProjectVariables { get; init; }

    /// <summary>Returns a variable's value, or <see langword="null"/> when unset or empty.</summary>
    /// <param name="name">The variable name.</param>
    /// <returns>The value.</returns>
    public string? Get(string name) =>
        Variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
