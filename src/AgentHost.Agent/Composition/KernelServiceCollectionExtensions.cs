using AgentHost.Kernel.Capabilities;
using AgentHost.Kernel.Configuration;
using AgentHost.Kernel.Events;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Permissions;
using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Kernel.Composition;

/// <summary>Registers the kernel in a service collection, for long-running hosts (Generic Host).</summary>
/// <remarks>Short CLI commands do not use this: they create only what they need, lazily.</remarks>
public static class KernelServiceCollectionExtensions
{
    /// <summary>
    /// Adds the environment, paths, resolved configuration, plugin store, event bus, capability registry, plugin host
    /// and plugin runtime as singletons, and a hosted service that loads plugins on start and unloads them on stop.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAgentKernel(this IServiceCollection services, Action<KernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new KernelOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.TryAddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.TryAddSingleton(sp => sp.GetRequiredService<KernelOptions>().Environment ?? HostEnvironment.FromProcess());
        services.TryAddSingleton(sp => AgentPaths.Resolve(sp.GetRequiredService<HostEnvironment>()));
        services.TryAddSingleton(sp => ConfigurationResolver.Resolve(
            sp.GetRequiredService<HostEnvironment>(),
            sp.GetRequiredService<AgentPaths>(),
            [.. sp.GetRequiredService<KernelOptions>().ConfigOverrides]));
        services.TryAddSingleton(sp => new PluginStore(
            sp.GetRequiredService<AgentPaths>(),
            PluginStore.DefaultCatalogDirectory(sp.GetRequiredService<HostEnvironment>())));
        services.TryAddSingleton(sp => new EventBus(sp.GetRequiredService<ILogger<EventBus>>()));
        services.TryAddSingleton<IEventBus>(sp => sp.GetRequiredService<EventBus>());
        services.TryAddSingleton(sp => new CapabilityRegistry(sp.GetRequiredService<EventBus>()));
        services.TryAddSingleton(sp => new PluginHost(
            sp.GetRequiredService<CapabilityRegistry>(),
            sp.GetRequiredService<EventBus>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<ConfigurationSnapshot>();
            var events = sp.GetRequiredService<EventBus>();
            var settings = new PluginSettingsSource(configuration, () => ProjectTrust.Load(sp.GetRequiredService<AgentPaths>()))
            {
                Warn = message => events.Publish(new WarningEvent("plugins", message)),
            };
            return new PluginRuntime(
                sp.GetRequiredService<PluginStore>(),
                configuration.ProjectRoot,
                settings.Get,
                events,
                sp.GetRequiredService<CapabilityRegistry>(),
                sp.GetRequiredService<PluginHost>())
            {
                IsProjectTrusted = () => settings.ProjectTrusted,
            };
        });
        services.AddHostedService<PluginLoaderService>();
        return services;
    }
}
