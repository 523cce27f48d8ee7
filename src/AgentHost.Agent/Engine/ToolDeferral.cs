using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Engine;

/// <summary>
/// Which tools the model is offered with every request and which are <b>deferred</b>: listed in the system prompt by
/// name and a one-line summary, their definitions sent only once the model loads them with <c>tool_search</c> (or
/// calls them). By default the kernel's own tools are always offered, a plugin tool as its
/// <see cref="ToolMetadata.Deferred"/> says (deferred when it says nothing), and MCP servers' tools are deferred;
/// <c>plugins.deferred_tools</c> overrides that per plugin (or per MCP server).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ToolDeferral
{
    /// <summary>The configuration key: a map of plugin id (or <c>mcp</c>, or <c>mcp__SERVER</c>) to <c>all</c>, <c>none</c> or a list of tool names.</summary>
    public const string ConfigurationKey = "plugins.deferred_tools";

    private const string McpPluginId = Mcp.McpSessionServers.PluginId;
    private readonly IReadOnlyDictionary<string, Choice> _choices;

    private ToolDeferral(IReadOnlyDictionary<string, Choice> choices) => _choices = choices;

    /// <summary>The defaults: the plugins' own choices, MCP servers' tools deferred, the kernel's tools offered.</summary>
    public static ToolDeferral Default { get; } = new(new Dictionary<string, Choice>(StringComparer.Ordinal));

    /// <summary>Reads <c>plugins.deferred_tools</c>.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The policy; <see cref="Default"/> when the key is not set.</returns>
    /// <exception cref="AgentHostException">A value is neither <c>all</c>, <c>none</c> nor a list of tool names.</exception>
    public static ToolDeferral FromConfiguration(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ConfigurationKey);
        if (section.Count == 0)
        {
            return Default;
        }

        var choices = new Dictionary<string, Choice>(StringComparer.Ordinal);
        foreach (var group in section.GroupBy(e => e.Key.Split('.')[0], StringComparer.Ordinal))
        {
            var key = group.Key;
            var origin = configuration.Explain($"{ConfigurationKey}.{group.First().Key}")?.Source ?? "configuration";
            if (group.Count() == 1 && group.First().Key == key)
            {
                choices[key] = group.First().Value.Trim().ToLowerInvariant() switch
                {
                    "all" => Choice.All,
                    "none" => Choice.None,
                    var other => throw Invalid(key, origin, $"'{other}'"),
                };
            }
            else if (group.All(e => e.Key.Split('.') is [_, var index] && int.TryParse(index, System.Globalization.CultureInfo.InvariantCulture, out _)))
            {
                choices[key] = new Choice(group.Select(e => e.Value.Trim()).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal));
            }
            else
            {
                throw Invalid(key, origin, "a map");
            }
        }

        return new ToolDeferral(choices);
    }

    /// <summary>Whether a registered tool is deferred.</summary>
    /// <param name="entry">The tool's registration (its plugin id and plain name).</param>
    /// <param name="metadata">The tool's metadata.</param>
    /// <returns><see langword="true"/> when the model is offered it only on demand.</returns>
    public bool IsDeferred(RegisteredCapability entry, ToolMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(metadata);
        if (entry.PluginId == Skills.SkillTool.KernelPluginId)
        {
            return false;
        }

        if (entry.PluginId == McpPluginId && ServerKey(entry.Name) is { } server && _choices.TryGetValue(server, out var serverChoice))
        {
            return serverChoice.Defers(entry.Name);
        }

        return _choices.TryGetValue(entry.PluginId, out var choice) ? choice.Defers(entry.Name) : metadata.Deferred ?? true;
    }

    /// <summary><c>mcp__SERVER</c> of an MCP server's tool <c>mcp__SERVER__TOOL</c>.</summary>
    private static string? ServerKey(string toolName)
    {
        const string Prefix = "mcp__";
        if (!toolName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = toolName.IndexOf("__", Prefix.Length, StringComparison.Ordinal);
        return end < 0 ? null : toolName[..end];
    }

    private static AgentHostException Invalid(string key, string origin, string what) => new(
        ErrorKind.Configuration,
        $"{origin}: {ConfigurationKey}.{key} is {what}; write 'all' (every tool of '{key}' is loaded on demand), 'none' (every one is offered " +
        $"with each request) or a list of the tool names to load on demand, e.g. {ConfigurationKey}: {{ {key}: [tool_a, tool_b] }}.");

    /// <summary>One plugin's choice: all, none, or the named tools.</summary>
    private sealed class Choice(IReadOnlySet<string>? names, bool all = false)
    {
        public static Choice All { get; } = new(null, all: true);

        public static Choice None { get; } = new(new HashSet<string>());

        public bool Defers(string toolName) => all || names!.Contains(toolName);
    }
}
