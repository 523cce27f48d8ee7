using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>Collects one plugin's capabilities during registration.</summary>
public sealed class PluginBuilder(PluginContext context) : IPluginBuilder
{
    private readonly List<Capability> _capabilities = [];

    public PluginContext Context { get; } = context;

    public IServiceCollection Services { get; } = new ServiceCollection();

    public IReadOnlyList<Capability> Capabilities => _capabilities;

    public IPluginBuilder Add(Capability capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        if (_capabilities.Any(c => c.Kind == capability.Kind && c.Name == capability.Name))
        {
            throw new InvalidOperationException($"{capability.Kind} '{capability.Name}' was added twice.");
        }

        _capabilities.Add(capability);
        return this;
    }
}
