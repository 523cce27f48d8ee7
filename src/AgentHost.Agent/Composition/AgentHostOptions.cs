using AgentHost.Hosting;
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
}
