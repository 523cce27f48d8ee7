using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// The MCP servers a session connects to, from every source: the loaded plugins' manifests, then the project's
/// <c>.mcp.json</c> (only when the project is trusted), then the configuration's <c>mcp.servers</c> (the user's, and a
/// trusted project's — an untrusted project cannot set <c>mcp</c>). A later source's server replaces an earlier one of
/// the same name; <c>mcp.servers.NAME.enabled: false</c> turns one off. A plugin's server starts in the background
/// (<see cref="McpStartMode.Background"/>) unless <c>mcp.start</c> or its own <c>start</c> says otherwise.
/// </summary>
public static class McpServerSources
{
    /// <summary>The configuration section of servers.</summary>
    public const string ServersKey = "mcp.servers";

    /// <summary>The servers, by name in definition order; <paramref name="problems"/> gets what could not be read, with the fix.</summary>
    public static IReadOnlyList<McpServerDefinition> Collect(
        CapabilityRegistry registry, ConfigurationSnapshot configuration, bool projectTrusted, HostEnvironment environment, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var servers = new Dictionary<string, McpServerDefinition>(StringComparer.Ordinal);
        var projectOwned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in registry.OfKind(CapabilityKind.McpServer))
        {
            if (!McpServerNames.IsValid(entry.Name))
            {
                problems.Add($"plugin {entry.PluginId}: its MCP server '{entry.Name}' is left out: that name cannot begin tool names; {McpServerNames.Rule}. Ask the plugin's author to rename it.");
                continue;
            }

            // Two plugins' servers of one name: the registry reports the clash and resolves the name to the first plugin by id; so does this.
            servers.TryAdd(entry.Name, WithVariables(McpServerDefinition.FromCapability((McpServerCapability)entry.Capability, entry.PluginId), environment.Variables, problems));
        }

        var file = Path.Combine(configuration.ProjectRoot, McpJsonFile.FileName);
        if (File.Exists(file))
        {
            if (projectTrusted)
            {
                // The project's file reads only what a project may (on a server, the session's environment: HostEnvironment.ProjectVariables).
                foreach (var server in McpJsonFile.Read(file, configuration.ProjectVariables, problems))
                {
                    SetProjectOwned(servers, projectOwned, server, problems);
                }
            }
            else
            {
                problems.Add($"{file}: not started, because the project is not trusted (its servers would run commands). Review the file, then run 'agent trust'.");
            }
        }

        var timeout = Seconds(configuration, "mcp.start_timeout", problems) ?? McpServerDefinition.DefaultStartTimeout;
        // A plugin's server is never waited for unless mcp.start (or its own start) says so: installed plugins cost nothing per run.
        var configuredStart = StartMode(configuration, "mcp.start", problems);
        var start = configuredStart ?? McpStartMode.Session;
        McpStartMode DefaultStart(McpServerDefinition server) => configuredStart ?? (server.PluginId is null ? McpStartMode.Session : McpStartMode.Background);
        foreach (var name in ChildNames(configuration, ServersKey))
        {
            var prefix = $"{ServersKey}.{name}";
            if (string.Equals(configuration.Get(prefix + ".enabled"), "false", StringComparison.OrdinalIgnoreCase))
            {
                servers.Remove(name);
                continue;
            }

            if (configuration.Get(prefix + ".command") is null && configuration.Get(prefix + ".url") is null && servers.TryGetValue(name, out var defined))
            {
                // Settings for a server a plugin or .mcp.json defines: when it starts and how long it may take.
                servers[name] = defined with
                {
                    StartTimeout = Seconds(configuration, prefix + ".start_timeout", problems) ?? defined.StartTimeout,
                    Start = StartMode(configuration, prefix + ".start", problems) ?? DefaultStart(defined),
                };
                continue;
            }

            if (FromConfiguration(configuration, name, prefix, environment, problems) is { } server)
            {
                server = server with
                {
                    StartTimeout = Seconds(configuration, prefix + ".start_timeout", problems) ?? timeout,
                    Start = StartMode(configuration, prefix + ".start", problems) ?? start,
                };
                if (McpConfiguredServer.Read(configuration, prefix).Target?.Layer == ConfigLayer.Project)
                {
                    SetProjectOwned(servers, projectOwned, server, problems);
                }
                else
                {
                    servers[name] = server;
                    projectOwned.Remove(name);
                }
            }
        }

        return [.. servers.Values.Select(s => s.StartTimeout == McpServerDefinition.DefaultStartTimeout ? s with { StartTimeout = timeout } : s)
            .Select(s => configuration.Get($"{ServersKey}.{s.Name}.start") is null ? s with { Start = DefaultStart(s) } : s)];
    }

    /// <summary>
    /// Sets a server the project defines (its <c>.mcp.json</c> or <c>.agent/config.yaml</c>); when it replaces one of
    /// yours or a plugin's of the same name, says so with both origins: your rules for <c>mcp__NAME__*</c> now reach the
    /// project's server.
    /// </summary>
    private static void SetProjectOwned(Dictionary<string, McpServerDefinition> servers, HashSet<string> projectOwned, McpServerDefinition server, List<string> problems)
    {
        if (servers.TryGetValue(server.Name, out var replaced) && !projectOwned.Contains(server.Name))
        {
            problems.Add(
                $"MCP server '{server.Name}' of the project ({server.Source}: {server.Target}) replaces the one of {replaced.Source} ({replaced.Target}); " +
                $"permission rules and settings for mcp__{server.Name}__* now apply to the project's server. Rename one of them to keep both apart.");
        }

        servers[server.Name] = server;
        projectOwned.Add(server.Name);
    }

    /// <summary>
    /// A plugin's server with <c>${VAR}</c> and <c>${VAR:-default}</c> expanded from the environment in its command,
    /// arguments, environment values and headers, as in a project's <c>.mcp.json</c> (Claude Code plugins pass API
    /// keys this way). Expanded when a session starts, so the install summary never shows a secret.
    /// </summary>
    private static McpServerDefinition WithVariables(McpServerDefinition server, IReadOnlyDictionary<string, string> variables, List<string> problems)
    {
        string Expand(string text) => McpVariables.Expand(text, variables, $"{server.Source}: MCP server '{server.Name}'", problems);

        return server with
        {
            Command = server.Command is null ? null : Expand(server.Command),
            Args = [.. server.Args.Select(Expand)],
            Environment = server.Environment.ToDictionary(p => p.Key, p => Expand(p.Value), StringComparer.Ordinal),
            Headers = server.Headers.ToDictionary(p => p.Key, p => Expand(p.Value), StringComparer.Ordinal),
            Url = server.UrlTemplate is { } template ? ExpandUrl(server, template, Expand, problems) : server.Url,
        };
    }

    /// <summary>
    /// A plugin's <c>${VAR:-default}</c> URL expanded from the environment; when that is not an absolute http(s) URL, a
    /// problem names the variable's value and the URL with its defaults (checked at install) is used.
    /// </summary>
    private static Uri? ExpandUrl(McpServerDefinition server, string template, Func<string, string> expand, List<string> problems)
    {
        var expanded = expand(template);
        if (Uri.TryCreate(expanded, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        problems.Add($"{server.Source}: MCP server '{server.Name}': url '{template}' expands to '{expanded}', which is not an absolute http(s) URL; {server.Url} (its defaults) is used instead. Fix the variable in your environment.");
        return server.Url;
    }

    private static McpServerDefinition? FromConfiguration(ConfigurationSnapshot configuration, string name, string prefix, HostEnvironment environment, List<string> problems)
    {
        var where = configuration.Explain(prefix + ".command") ?? configuration.Explain(prefix + ".url");
        var source = where?.File is { } file ? (where.Line is { } line ? $"{file}:{line}" : file) : "config";
        if (!McpServerNames.IsValid(name))
        {
            problems.Add($"{prefix}: '{name}' is not a usable server name; {McpServerNames.Rule}.");
            return null;
        }

        var command = configuration.Get(prefix + ".command");
        var url = configuration.Get(prefix + ".url");
        if ((command is null) == (url is null))
        {
            problems.Add($"{prefix}: give exactly one of 'command' (a stdio server) or 'url' (an HTTP server).");
            return null;
        }

        // Headers, tokens, environment and arguments come only from the owner (you, or the project) that set the target.
        var server = McpConfiguredServer.Read(configuration, prefix);
        if (server.DroppedWarning() is { } dropped)
        {
            problems.Add(dropped);
        }

        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"{prefix}.url: '{url}' is not an absolute http(s) URL.");
                return null;
            }

            var headers = server.GetSection("headers");
            // A project's bearer_token_env names a variable of what a project may read, never the server's own.
            var readable = server.Target?.Layer == ConfigLayer.Project ? environment with { Variables = configuration.ProjectVariables } : environment;
            if (!McpBearerToken.TryAdd(server, name, readable, ref headers, problems))
            {
                return null;
            }

            var definition = new McpServerDefinition(name, source, McpTransport.Http) { Url = uri, Headers = headers };
            // OAuth (agent mcp login) only for your own servers that send no Authorization of their own: a stored login
            // is yours, and a project cannot point a name at another URL and have it sent there (it is bound to its URL too).
            return McpBearerToken.HasAuthorization(headers) || !McpBearerToken.IsUserConfigured(server, environment)
                ? definition
                : definition with { OAuth = McpOAuthTokens.ForSession(name, uri, environment) };
        }

        var args = server.GetSection("args")
            .Where(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture))
            .Select(p => p.Value)
            .ToList();
        return new McpServerDefinition(name, source, McpTransport.Stdio) { Command = command, Args = args, Environment = server.GetSection("env") };
    }

    /// <summary>The default of <c>mcp.background_wait</c>.</summary>
    internal static readonly TimeSpan DefaultBackgroundWait = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// <c>mcp.background_wait</c>: how long a session's first model request waits for servers starting in the
    /// background (milliseconds, 0 to 10000; 0 = never). A bad value is a problem naming the key, and the default applies.
    /// </summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="problems">Receives what is wrong with the value.</param>
    /// <returns>The wait.</returns>
    internal static TimeSpan BackgroundWait(ConfigurationSnapshot configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        if (configuration.Get(BackgroundWaitKey) is not { Length: > 0 } text)
        {
            return DefaultBackgroundWait;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds <= 10_000)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        problems.Add($"{BackgroundWaitKey}: '{text}' is not a number of milliseconds between 0 and 10000 (0 = never wait); the default ({DefaultBackgroundWait.TotalMilliseconds:0}) applies.");
        return DefaultBackgroundWait;
    }

    /// <summary>The key of <see cref="BackgroundWait"/>.</summary>
    internal const string BackgroundWaitKey = "mcp.background_wait";

    private static TimeSpan? Seconds(ConfigurationSnapshot configuration, string key, List<string> problems)
    {
        if (configuration.Get(key) is not { Length: > 0 } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 600)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        problems.Add($"{key}: '{text}' is not a number of seconds between 0 and 600; the default applies.");
        return null;
    }

    private static McpStartMode? StartMode(ConfigurationSnapshot configuration, string key, List<string> problems)
    {
        var text = configuration.Get(key);
        if (text is not { Length: > 0 })
        {
            return null;
        }

        if (Enum.TryParse<McpStartMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !char.IsDigit(text[0]))
        {
            return mode;
        }

        problems.Add($"{key}: '{text}' is not a start mode (session, lazy, background); the default applies.");
        return null;
    }

    private static IEnumerable<string> ChildNames(ConfigurationSnapshot configuration, string prefix) =>
        configuration.GetSection(prefix).Keys.Select(key => key.Split('.')[0]).Distinct(ConfigKeys.Comparer);
}
