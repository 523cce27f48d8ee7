using AgentHost.Agent.Plugins;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Composition;

/// <summary>
/// Makes, from the host's shared parts (paths, plugin store, session store, loggers), the parts that depend on one
/// project's configuration: for a command that works on another project root (<c>agent run --root</c>,
/// <c>agent trust --dir</c>) or that owns its plugin runtime (loads, uses and disposes it).
/// </summary>
/// <remarks>Registered by <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>.</remarks>
public sealed class ProjectRootFactory
{
    private readonly IServiceProvider _services;
    private readonly AgentHostOptions _options;

    /// <summary>Creates the factory over the host's services.</summary>
    /// <param name="services">The host's services (resolved lazily: a runtime does not open the session store).</param>
    /// <param name="options">The host's options.</param>
    public ProjectRootFactory(IServiceProvider services, AgentHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options;
    }

    /// <summary>Resolves the configuration as seen from <paramref name="directory"/> (with the host's overrides); problems are reported in it, not thrown.</summary>
    /// <param name="directory">The working directory whose project applies.</param>
    /// <returns>The configuration.</returns>
    public ConfigurationSnapshot ResolveConfiguration(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var environment = Get<HostEnvironment>() with { CurrentDirectory = directory };
        return ConfigurationResolver.Resolve(environment, Get<AgentPaths>(), [.. _options.ConfigOverrides]);
    }

    /// <summary>
    /// Creates a plugin runtime with its own event bus, registry and plugin host for <paramref name="configuration"/>:
    /// its project's plugin switches and trust, the plugin settings and load time-out of the configuration, the host's
    /// loggers, and collectible or non-collectible contexts as <see cref="AgentHostOptions.UnloadablePlugins"/> says.
    /// </summary>
    /// <param name="configuration">The configuration whose project the runtime serves.</param>
    /// <returns>The runtime; the caller disposes it (which unloads every plugin).</returns>
    public PluginRuntime CreatePluginRuntime(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var paths = Get<AgentPaths>();
        var settings = new PluginSettingsSource(configuration, () => ProjectTrust.Load(paths));
        var runtime = PluginRuntime.Create(Get<PluginStore>(), configuration.ProjectRoot, settings.Get, Get<ILoggerFactory>(), _options.UnloadablePlugins, () => settings.ProjectTrusted);
        runtime.Host.LoadTimeout = PluginHost.LoadTimeoutFrom(configuration);
        settings.Warn = message => runtime.Events.Publish(new WarningEvent("plugins", message));
        return runtime;
    }

    /// <summary>Creates the session service over a runtime made by <see cref="CreatePluginRuntime"/> and the host's session store.</summary>
    /// <param name="configuration">The configuration the runtime was made for.</param>
    /// <param name="runtime">The runtime (its plugins loaded by the caller).</param>
    /// <param name="broker">The permission broker on the runtime's event bus (the one the front end answers).</param>
    /// <returns>The service; it does not own the runtime or the store.</returns>
    public AgentSessionService CreateSessionService(ConfigurationSnapshot configuration, PluginRuntime runtime, PermissionBroker broker) =>
        new(
            runtime,
            Get<SessionStore>(),
            configuration,
            Get<HostEnvironment>(),
            Get<SecretScrubber>(),
            broker,
            Get<TimeProvider>(),
            Get<ILogger<AgentSessionService>>());

    private T Get<T>()
        where T : notnull => (T)(_services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered; call AddAgentHost."));
}
