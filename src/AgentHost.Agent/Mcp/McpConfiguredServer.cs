using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// One <c>mcp.servers.NAME</c> of the configuration, read so that its credentials stay with the origin that defined
/// them. The configuration merges layers key by key, so a trusted project's <c>.agent/config.yaml</c> that sets only a
/// server's <c>url</c> (or <c>command</c>) would otherwise inherit the <c>headers</c>, <c>bearer_token*</c>, <c>env</c>
/// and <c>args</c> your own <c>config.yaml</c> attached to that name, and send your token to its URL. Here every key
/// that travels with the server is taken only from the owner that set its target: you (your file, <c>AGENT_*</c>
/// variables, <c>-c</c> flags) or the project's file. What another owner set is left out and reported with both origins
/// (<see cref="Dropped"/>). Only when it starts (<c>start</c>, <c>start_timeout</c>) and whether it runs
/// (<c>enabled</c>) apply from any layer.
/// </summary>
internal sealed class McpConfiguredServer
{
    private static readonly string[] Unbound = ["enabled", "start", "start_timeout", "command", "url"];

    private readonly ConfigurationSnapshot _configuration;
    private readonly bool _projectOwned;

    private McpConfiguredServer(ConfigurationSnapshot configuration, string prefix, ConfigEntry? target)
    {
        _configuration = configuration;
        Prefix = prefix;
        Target = target;
        _projectOwned = target?.Layer == ConfigLayer.Project;
        Dropped = [.. configuration.Entries.Where(e => ConfigKeys.IsUnder(e.Key, prefix) && IsBound(e.Key) && !SameOwner(e))];
    }

    /// <summary>The server's key, <c>mcp.servers.NAME</c>.</summary>
    public string Prefix { get; }

    /// <summary>The entry that set its <c>url</c> (or <c>command</c>); <see langword="null"/> when neither is set.</summary>
    public ConfigEntry? Target { get; }

    /// <summary>The values another owner set for this server, which are not used.</summary>
    public IReadOnlyList<ConfigEntry> Dropped { get; }

    /// <summary>Reads <c>mcp.servers.NAME</c>.</summary>
    public static McpConfiguredServer Read(ConfigurationSnapshot configuration, string prefix) =>
        new(configuration, prefix, configuration.Explain(prefix + ".url") ?? configuration.Explain(prefix + ".command"));

    /// <summary>A value of the server (<c>args.0</c>, <c>bearer_token_env</c>…), when its target's owner set it.</summary>
    public string? Get(string key) => Entry(key)?.Value;

    /// <summary>A path value of the server, resolved against the file that set it, when its target's owner set it.</summary>
    public string? GetPath(string key) => Entry(key) is not null ? _configuration.GetPath($"{Prefix}.{key}") : null;

    /// <summary>The values below one of the server's keys (<c>headers</c>, <c>env</c>, <c>args</c>) that its target's owner set.</summary>
    public IReadOnlyDictionary<string, string> GetSection(string key)
    {
        var prefix = $"{Prefix}.{key}";
        var section = new Dictionary<string, string>(ConfigKeys.Comparer);
        foreach (var entry in _configuration.Entries)
        {
            if (ConfigKeys.IsUnder(entry.Key, prefix) && SameOwner(entry))
            {
                section[entry.Key[(prefix.Length + 1)..]] = entry.Value;
            }
        }

        return section;
    }

    /// <summary>The report of <see cref="Dropped"/>, naming both origins; <see langword="null"/> when nothing was dropped.</summary>
    public string? DroppedWarning()
    {
        if (Dropped.Count == 0 || Target is null)
        {
            return null;
        }

        var keys = string.Join(", ", Dropped.Select(e => e.Key[(Prefix.Length + 1)..]).Select(k => k.Split('.')[0]).Distinct(ConfigKeys.Comparer));
        var sources = string.Join(", ", Dropped.Select(e => e.File ?? e.Source).Distinct(StringComparer.Ordinal));
        var what = Target.Key.EndsWith(".url", StringComparison.OrdinalIgnoreCase) ? "URL" : "command";
        return $"{Prefix}: its {what} is set by {Target.Source}, so what {sources} attached to that server ({keys}) is not used for it: " +
               $"credentials and settings go only to the server of the file that set them. If that server should have them, set them where its {what} is set.";
    }

    private ConfigEntry? Entry(string key) => _configuration.Explain($"{Prefix}.{key}") is { } entry && SameOwner(entry) ? entry : null;

    private bool IsBound(string key)
    {
        var relative = key[(Prefix.Length + 1)..].Split('.')[0];
        return !Unbound.Contains(relative, ConfigKeys.Comparer);
    }

    private bool SameOwner(ConfigEntry entry) => Target is null || (entry.Layer == ConfigLayer.Project) == _projectOwned;
}
