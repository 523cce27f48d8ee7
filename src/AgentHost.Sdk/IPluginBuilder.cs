using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Sdk;

/// <summary>Collects the capabilities and services of one plugin during <see cref="AgentPlugin.Register"/>.</summary>
/// <remarks>
/// Used only during registration, from one thread. Convenience methods for each capability kind are extension
/// methods in <see cref="PluginBuilderExtensions"/>.
/// </remarks>
public interface IPluginBuilder
{
    /// <summary>Information about the plugin being registered and the host services it may use.</summary>
    PluginContext Context { get; }

    /// <summary>
    /// Services private to this plugin. They form the plugin's own child service provider, which also resolves
    /// <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/>, <see cref="PluginContext"/> and <see cref="Events.IEventBus"/>.
    /// </summary>
    IServiceCollection Services { get; }

    /// <summary>Adds a capability.</summary>
    /// <param name="capability">The capability; its name must be unique within this plugin and kind.</param>
    /// <returns>The same builder, for chaining.</returns>
    IPluginBuilder Add(Capability capability);
}
