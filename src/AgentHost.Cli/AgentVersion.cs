using System.Reflection;

namespace AgentHost.Cli;

/// <summary>The version <c>agent --version</c> prints, sent in user agents and announced by the servers.</summary>
internal static class AgentVersion
{
    /// <summary>The informational version without its commit suffix (<c>0.0.0</c> when the build stamped none).</summary>
    public static string Current { get; } =
        typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
