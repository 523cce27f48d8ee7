using AgentHost.Hosting.Hooks;
namespace AgentHost.Agent.Hooks;

/// <summary>Where a hook is configured.</summary>
public enum HookOrigin
{
    /// <summary>The user's configuration (global config, environment, flags).</summary>
    User,

    /// <summary>The project's <c>.agent/config.yaml</c>: runs only once the project is trusted (<c>agent trust</c>).</summary>
    Project,

    /// <summary>A loaded plugin's hook file (<c>hooks:</c> in plugin.yaml, or a Claude Code plugin's hooks/hooks.json).</summary>
    Plugin,
}

/// <summary>One configured command hook.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Event">The hook event (<see cref="HookEventNames"/>).</param>
/// <param name="Matcher">The matcher as written (empty or <c>*</c> for all).</param>
/// <param name="Command">The shell command, as written (for a plugin: its unquoted <c>${CLAUDE_PLUGIN_ROOT}</c> references quoted, <see cref="PluginRootReferences"/>).</param>
/// <param name="Timeout">How long it may run before it is killed.</param>
/// <param name="Source">Where it is configured: <c>file:line</c>, or a hook file and the hook's place in it.</param>
/// <param name="Origin">Which kind of configuration it comes from.</param>
public sealed record HookDefinition(string Event, string Matcher, string Command, TimeSpan Timeout, string Source, HookOrigin Origin)
{
    /// <summary>The time limit when the hook sets none: 60 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether a PreToolUse hook that fails — it cannot start, times out, exits with a code other than 0 and 2, or
    /// writes JSON that cannot be read — lets the call go on (<c>"onFailure": "allow"</c>). By default such a guard
    /// blocks the call (fails closed): a broken guard must not let through what it guards.
    /// </summary>
    public bool FailOpen { get; init; }

    /// <summary>
    /// Whether it runs in the background (<c>"async": true</c>, as in Claude Code): it is started and not waited for, so
    /// it decides nothing; it is still killed at its time limit.
    /// </summary>
    public bool RunsInBackground { get; init; }

    /// <summary>Whether it runs: <see langword="false"/> for the hooks of a project that is not trusted.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The plugin it comes from, for <see cref="HookOrigin.Plugin"/>.</summary>
    public string? PluginId { get; init; }

    /// <summary>The plugin's folder (<c>CLAUDE_PLUGIN_ROOT</c> and <c>AGENT_PLUGIN_ROOT</c>), for <see cref="HookOrigin.Plugin"/>.</summary>
    public string? PluginRoot { get; init; }

    /// <summary>How <see cref="Source"/> is shown in events and the audit log: <c>user</c>, <c>project</c> or <c>plugin ID</c>, with the place.</summary>
    public string Label => Origin switch
    {
        HookOrigin.Plugin => $"plugin {PluginId} ({Source})",
        HookOrigin.Project => $"project ({Source})",
        _ => $"user ({Source})",
    };

    /// <summary>The compiled matcher.</summary>
    internal HookMatcher CompiledMatcher { get; init; } = HookMatcher.All;
}
