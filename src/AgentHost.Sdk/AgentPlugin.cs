namespace AgentHost.Sdk;

/// <summary>
/// The entry point of a plugin assembly. The host creates one instance (public parameterless constructor)
/// and calls <see cref="Register"/> once, before any capability is used.
/// </summary>
/// <remarks>
/// An assembly names its entry type in <c>plugin.yaml</c> (<c>entry.type</c>) or contains exactly one public
/// non-abstract subclass of <see cref="AgentPlugin"/>. Registration must not block on I/O: capabilities that need
/// expensive setup should create their resources lazily.
/// </remarks>
public abstract class AgentPlugin
{
    /// <summary>Registers the plugin's capabilities and services.</summary>
    /// <param name="builder">The builder that collects capabilities for this plugin.</param>
    public void Register(IPluginBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegisterCore(builder);
    }

    /// <summary>When overridden, adds capabilities to <paramref name="builder"/>.</summary>
    /// <param name="builder">The builder that collects capabilities for this plugin.</param>
    protected abstract void RegisterCore(IPluginBuilder builder);
}
