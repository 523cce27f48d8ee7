using System.CommandLine;
using AgentHost.Hosting;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// Where <c>agent mcp add|remove</c> write: <c>user</c> (your config.yaml's <c>mcp.servers</c>) or <c>project</c> (the
/// project's <c>.mcp.json</c>, the file peers share).
/// </summary>
internal static class McpScope
{
    public const string User = "user";
    public const string Project = "project";

    /// <summary>The <c>--scope</c> option.</summary>
    public static Option<string?> Create(string description) => new("--scope", "-s") { Description = description };

    /// <summary>The scope given, checked; <see langword="null"/> when none was given.</summary>
    public static string? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null => null,
        User or Project => value.Trim().ToLowerInvariant(),
        _ => throw new AgentHostException(ErrorKind.Usage, $"--scope '{value}' is not one of user, project."),
    };

    /// <summary>The server's mapping under <c>mcp.servers</c> in a config file's root, if it has one.</summary>
    public static YamlMappingNode? UserServer(YamlMappingNode root, string name) =>
        root.Children.TryGetValue(new YamlScalarNode("mcp"), out var mcp) && mcp is YamlMappingNode mcpMap
        && mcpMap.Children.TryGetValue(new YamlScalarNode("servers"), out var servers) && servers is YamlMappingNode serverMap
        && serverMap.Children.TryGetValue(new YamlScalarNode(name), out var server)
            ? server as YamlMappingNode ?? []
            : null;
}
