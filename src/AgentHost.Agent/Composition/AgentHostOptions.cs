using AgentHost.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Composition;

/// <summary>Options for <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>.</summary>
public sealed class AgentHostOptions
{
    /// <summary>The environment to read (variables, working directory, home); the process environment when <see langword="null"/>.</summary>
    public HostEnvironment? Environment { get; set; }

    /// <summary>Configuration overrides (<c>KEY=VALUE</c>), the flag layer.</summary>
    public IList<string> ConfigOverrides { get; } = [];

    /// <summary>Load only these plugins (even if disabled); every enabled plugin when empty.</summary>
    public IList<string> Plugins { get; } = [];

    /// <summary>
    /// Whether a long-running host loads plugins when it starts (default) and unloads them when it stops. A front end
    /// that loads its own plugins (<c>agent run</c> loads only what the run needs) turns it off.
    /// </summary>
    public bool LoadPluginsOnStart { get; set; } = true;

    /// <summary>
    /// Whether the <see cref="ILoggerFactory"/> writes JSON lines to <see cref="AgentPaths.LogsDirectory"/> (a
    /// <c>FileLoggerFactory</c>, secrets scrubbed, flushed when the provider is disposed and when the process exits);
    /// nothing is logged when <see langword="false"/> (default) unless the front end registers its own factory first.
    /// </summary>
    public bool LogToFiles { get; set; }

    /// <summary>The minimum level of the file log (e.g. <c>--log-level</c>); the <c>log_level</c> setting when <see langword="null"/>.</summary>
    public LogLevel? LogLevel { get; set; }

    /// <summary>
    /// A session store the front end opened itself (<c>agent serve</c> with a PostgreSQL <c>server.store</c>), used as the
    /// <see cref="Sessions.ISessionStore"/> of this root and of every project root composed from it, and disposed with
    /// the root; <see langword="null"/> (default) opens the SQLite store in the data folder. Set it before anything
    /// resolves the store.
    /// </summary>
    public Sessions.ISessionStore? SessionStore { get; set; }

    /// <summary>
    /// Whether the sessions are a shared server's (<c>agent serve</c>, a cluster node): every process they start gets
    /// the server's allow-list environment (<c>server.session_env</c> adds names), and hooks and stdio MCP servers run
    /// in the session's sandbox unless <c>sandbox.hooks</c> / <c>sandbox.mcp_servers</c> turn it off. Off by default
    /// (the CLI's environments, <see cref="Engine.SessionProcessEnvironment"/>).
    /// </summary>
    public bool ServerSessions { get; set; }

    /// <summary>
    /// Variables of the agent's own, besides <c>AGENT_*</c> and the configured token variables, that the processes
    /// the model drives never get (the one <c>--token-env</c> names).
    /// </summary>
    public IList<string> HiddenVariables { get; } = [];

    /// <summary>Told once when the file log cannot be written (it then switches itself off).</summary>
    public Action<string>? OnLogError { get; set; }

    /// <summary>
    /// Whether plugin code can be unloaded before the process ends (collectible load contexts). Off by default, as in
    /// every CLI command: plugins load into non-collectible contexts, where their ReadyToRun code is used, and an
    /// unloaded plugin's code stays loaded until the process ends. A host that must free plugin code may turn it on; on
    /// .NET 10 many collectible loads and unloads in one process can corrupt the GC heap (docs/architecture.md,
    /// "Plugin isolation").
    /// </summary>
    public bool UnloadablePlugins { get; set; }
}
