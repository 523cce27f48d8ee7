namespace AgentHost.Hosting.Configuration;

/// <summary>Where a configuration value came from, lowest precedence first.</summary>
public enum ConfigLayer
{
    /// <summary>Built into the host.</summary>
    Default,

    /// <summary>The user's global configuration file.</summary>
    Global,

    /// <summary>The project's <c>.agent/config.yaml</c>.</summary>
    Project,

    /// <summary>An <c>AGENT_*</c> environment variable.</summary>
    Environment,

    /// <summary>A <c>-c/--set KEY=VALUE</c> command-line flag.</summary>
    Flag,
}

/// <summary>Helpers for <see cref="ConfigLayer"/>.</summary>
public static class ConfigLayerExtensions
{
    /// <summary>The short lowercase name shown to users: default, global, project, env or flag.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The name.</returns>
    public static string ToDisplayName(this ConfigLayer layer) => layer switch
    {
        ConfigLayer.Default => "default",
        ConfigLayer.Global => "global",
        ConfigLayer.Project => "project",
        ConfigLayer.Environment => "env",
        ConfigLayer.Flag => "flag",
        _ => layer.ToString().ToLowerInvariant(),
    };
}
