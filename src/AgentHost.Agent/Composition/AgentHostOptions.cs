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
    /// Whether <see cref="ILoggerFactory"/> is the file logger (JSON lines in <see cref="AgentPaths.LogsDirectory"/>,
    /// secrets scrubbed, flushed when the provider is disposed or the process exits). Off: a logger factory the front
    /// end registers itself, else none.
    /// </summary>
    public bool LogToFiles { get; set; }

    /// <summary>The file logger's minimum level (e.g. from <c>--log-level</c>); the <c>log_level</c> setting when <see langword="null"/>.</summary>
    public LogLevel? LogLevel { get; set; }

    /// <summary>Told when the file logger cannot write (the CLI shows it as a warning).</summary>
    public Action<string>? OnLogError { get; set; }

    /// <summary>
    /// Whether plugin code can be unloaded before the process ends (default). A one-shot process (a CLI command)
    /// turns it off, so plugins load into non-collectible contexts where their ReadyToRun code is used.
    /// </summary>
    public bool UnloadablePlugins { get; set; } = true;
}
