using System.Collections;
using System.Collections.Frozen;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The environments of the processes a session starts, built for them, never the agent's own (its provider keys, the
/// server's token, the store's URI stay in its process). Given to each through <c>ProcessSpec.BaseEnvironment</c>:
/// <list type="bullet">
/// <item><b>Server sessions</b> (<c>agent serve</c>, cluster nodes): every process (shell commands, background jobs,
/// workflow shell nodes, hooks, stdio MCP servers) gets an allow-list: <c>PATH</c>, <c>HOME</c>, <c>LANG</c>,
/// <c>LC_*</c>, <c>TERM</c>, <c>TMPDIR</c>, <c>USER</c>, <c>LOGNAME</c>, <c>SHELL</c> (and what Windows needs to start a
/// program), plus the names the admin lists in <c>server.session_env</c> (not from a project's file). Never
/// <c>AGENT_*</c> nor the token variables.</item>
/// <item><b>The CLI</b>: what the model drives (shell commands, background jobs, workflow shell nodes) gets the user's
/// environment without the agent's own settings (<c>AGENT_*</c>, its token variables) and without secret-named
/// variables (a name containing <c>KEY</c>, <c>TOKEN</c>, <c>SECRET</c> or <c>PASSWORD</c>, any case), except those
/// <c>shell.environment.include</c> names; hooks and MCP servers the user configured keep the user's environment.</item>
/// </list>
/// Each process then adds its own variables (<c>AGENTHOST</c>, <c>GIT_TERMINAL_PROMPT</c>, <c>CLAUDE_PROJECT_DIR</c>,
/// a workflow's values, an MCP server's <c>env</c>).
/// </summary>
/// <remarks>Immutable and thread-safe; built once per composition from the agent process's environment.</remarks>
public sealed class SessionProcessEnvironment
{
    /// <summary>The key of the variables the CLI passes on to what the model runs although their names look secret.</summary>
    public const string IncludeKey = "shell.environment.include";

    /// <summary>The key of the variables a server passes on to its sessions' processes besides the allow-list.</summary>
    public const string ServerKey = "server.session_env";

    /// <summary>The names every session's processes get when set (a server's allow-list).</summary>
    public static IReadOnlyList<string> AllowedNames { get; } = ["PATH", "HOME", "LANG", "LC_*", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL", "TZ"];

    /// <summary>What Windows needs to start a program and find its folders (allowed on a server there too).</summary>
    private static readonly string[] WindowsNames =
        ["SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP", "USERPROFILE", "USERNAME", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)", "SYSTEMDRIVE", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE", "OS"];

    /// <summary>The keys naming the variables that hold the agent's own tokens.</summary>
    private static readonly string[] TokenKeys = ["server.token_env", "mcp.serve.token_env"];

    /// <summary>The parts of a name that make the CLI keep a variable from what the model runs.</summary>
    private static readonly string[] SecretParts = ["KEY", "TOKEN", "SECRET", "PASSWORD"];

    private SessionProcessEnvironment(bool server, IReadOnlyDictionary<string, string> forModel, IReadOnlyDictionary<string, string>? forConfigured)
    {
        IsServer = server;
        ForModel = forModel;
        ForConfigured = forConfigured;
    }

    /// <summary>Whether these are a shared server's sessions (every process gets the allow-list).</summary>
    public bool IsServer { get; }

    /// <summary>The complete environment of what the model drives: shell commands, background jobs, workflow shell nodes.</summary>
    public IReadOnlyDictionary<string, string> ForModel { get; }

    /// <summary>
    /// The complete environment of the processes the user or admin configured (hooks, stdio MCP servers): the
    /// allow-list on a server; <see langword="null"/> in the CLI, where they inherit the user's environment.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ForConfigured { get; }

    /// <summary>
    /// The CLI's environments over the agent process's own environment, with no include list: what a front end without
    /// a configuration uses.
    /// </summary>
    public static SessionProcessEnvironment Cli { get; } = Create(Current(), configuration: null, server: false, hidden: []);

    /// <summary>Builds the environments.</summary>
    /// <param name="inherited">The agent process's own environment (what a process would otherwise inherit).</param>
    /// <param name="configuration">The effective configuration (<see cref="IncludeKey"/>, <see cref="ServerKey"/>), when known.</param>
    /// <param name="server">Whether the sessions are a shared server's.</param>
    /// <param name="hidden">More variables of the agent's own never passed on (the one <c>--token-env</c> names).</param>
    /// <returns>The environments.</returns>
    public static SessionProcessEnvironment Create(IReadOnlyDictionary<string, string> inherited, ConfigurationSnapshot? configuration, bool server, IEnumerable<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(inherited);
        ArgumentNullException.ThrowIfNull(hidden);
        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var own = hidden.Where(name => !string.IsNullOrWhiteSpace(name)).Concat(TokenVariables(configuration)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var notOwn = inherited.Where(pair => !IsAgentSetting(pair.Key) && !own.Contains(pair.Key));
        if (server)
        {
            // The admin's names only: a project's file (a member's root, trusted or not) cannot widen the list.
            var allowed = AllowedNames.Concat(OperatingSystem.IsWindows() ? WindowsNames : []).Concat(List(configuration, ServerKey, projectToo: false)).ToList();
            var built = notOwn.Where(pair => allowed.Any(pattern => Matches(pattern, pair.Key))).ToFrozenDictionary(comparer);
            return new SessionProcessEnvironment(true, built, built);
        }

        var include = List(configuration, IncludeKey, projectToo: true).ToList();
        var filtered = notOwn
            .Where(pair => !LooksSecret(pair.Key) || include.Any(pattern => Matches(pattern, pair.Key)))
            .ToFrozenDictionary(comparer);
        return new SessionProcessEnvironment(false, filtered, null);
    }

    /// <summary>The agent process's environment now.</summary>
    /// <returns>Its variables.</returns>
    public static IReadOnlyDictionary<string, string> Current()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return variables;
    }

    /// <summary>Whether a variable is one of the agent's own settings (<c>AGENT_*</c>, the configuration's environment layer).</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsAgentSetting(string name) => name.StartsWith("AGENT_", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a variable's name looks like it holds a secret (it contains KEY, TOKEN, SECRET or PASSWORD, any case).</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>Whether it does.</returns>
    public static bool LooksSecret(string name) => SecretParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a name matches a pattern: the name itself, or with <c>*</c> standing for any characters (any case).</summary>
    private static bool Matches(string pattern, string name)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }

        if (!name.StartsWith(parts[0], StringComparison.OrdinalIgnoreCase) || !name.EndsWith(parts[^1], StringComparison.OrdinalIgnoreCase)
            || name.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var at = parts[0].Length;
        var end = name.Length - parts[^1].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = name.IndexOf(middle, at, end - at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }

            at = found + middle.Length;
        }

        return true;
    }

    /// <summary>The variables the configuration names as holding the agent's own tokens (<c>server.token_env</c>, <c>mcp.serve.token_env</c>).</summary>
    private static IEnumerable<string> TokenVariables(ConfigurationSnapshot? configuration) =>
        TokenKeys.Select(key => configuration?.Get(key)).OfType<string>().Where(name => name.Length > 0);

    private static IEnumerable<string> List(ConfigurationSnapshot? configuration, string key, bool projectToo) =>
        configuration is null ? [] : configuration.GetSection(key)
            .Where(pair => projectToo || configuration.Explain($"{key}.{pair.Key}")?.Layer != ConfigLayer.Project)
            .Select(pair => pair.Value.Trim())
            .Where(name => name.Length > 0);
}
