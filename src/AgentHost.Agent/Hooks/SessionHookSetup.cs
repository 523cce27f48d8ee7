using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Hooks;

/// <summary>Reads a session's hooks when it opens: the configuration's and the loaded plugins'.</summary>
public static class SessionHookSetup
{
    /// <summary>The loaded plugins' hook files.</summary>
    /// <param name="runtime">The plugin runtime.</param>
    /// <returns>One entry per plugin with hook files.</returns>
    public static IReadOnlyList<PluginHookFiles> PluginFiles(PluginRuntime runtime) =>
        [.. runtime.Host.Loaded.Values
            .Where(p => p.Manifest.HookFiles.Count > 0)
            .OrderBy(p => p.Manifest.Id, StringComparer.Ordinal)
            .Select(p => new PluginHookFiles(p.Manifest.Id, p.Manifest.Directory, p.Manifest.HookFiles))];

    /// <summary>The session's hooks, or <see langword="null"/> when none is active; problems are published as warnings (those of plugins' hook files as details).</summary>
    /// <param name="runtime">The plugin runtime (loaded plugins, events).</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="workspaceRoot">The project root.</param>
    /// <param name="scrubber">Redacts secrets.</param>
    /// <param name="time">The clock.</param>
    /// <returns>The hooks.</returns>
    internal static SessionHooks? Create(PluginRuntime runtime, ConfigurationSnapshot configuration, string workspaceRoot, SecretScrubber scrubber, TimeProvider time)
    {
        var hooks = HookConfiguration.Load(configuration, PluginFiles(runtime));
        foreach (var problem in hooks.Problems.Except(hooks.PluginProblems, StringComparer.Ordinal))
        {
            runtime.Events.Publish(new WarningEvent("hooks", problem) { Timestamp = time.GetUtcNow() });
        }

        // An installed plugin's hooks that cannot run were listed at install (and are in 'agent plugin info'): details only.
        foreach (var problem in hooks.PluginProblems)
        {
            runtime.Events.Publish(new DetailEvent("hooks", problem) { Timestamp = time.GetUtcNow() });
        }

        return hooks.HasActive ? new SessionHooks(new HookDispatcher(hooks, workspaceRoot, runtime.Events, scrubber, time)) : null;
    }
}
