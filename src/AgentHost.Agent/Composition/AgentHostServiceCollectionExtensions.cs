using System.Runtime.CompilerServices;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Plugins;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Composition;

/// <summary>The one composition root of every front end (CLI, chat, MCP server, HTTP API), for the Generic Host or a bare service collection.</summary>
public static class AgentHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds, as singletons: the environment, paths, resolved configuration, plugin store, event bus, capability
    /// registry, plugin host and plugin runtime, the session store (<see cref="ISessionStore"/>: SQLite in the data
    /// folder unless one is registered first), the permission broker, the secret scrubber, the clock and the
    /// <see cref="AgentSessionService"/>; and, when <see cref="AgentHostOptions.LoadPluginsOnStart"/>, a hosted service
    /// that loads plugins on start and unloads them on stop; a <see cref="ProjectRootFactory"/> that composes another
    /// project root (<see cref="ProjectHost"/>) through this same method; the file logger factory when
    /// <see cref="AgentHostOptions.LogToFiles"/>. <see cref="AddAgentHostProcess"/> adds only the process-wide parts.
    /// </summary>
    /// <remarks>
    /// The one place a session service is composed: every front end (<c>agent run</c>, the chat, <c>agent serve</c>)
    /// gets its <see cref="AgentSessionService"/> from a provider built here for its project root, by
    /// <see cref="ProjectRootFactory.OpenAsync"/>; a Generic Host gets one for its own. Every registration is a <c>TryAdd</c>:
    /// a part registered first (a store of another kind, a runtime the front end made) is used and the rest is built
    /// around it. Register <see cref="EventBus"/> together with a pre-made <see cref="PluginRuntime"/> (its
    /// <see cref="PluginRuntime.Events"/>). Resolving never blocks on asynchronous work: the SQLite store opens
    /// synchronously on first resolution (a front end resolves it on a worker thread while plugins load).
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAgentHost(this IServiceCollection services, Action<AgentHostOptions>? configure = null)
    {
        var options = AddShared(services, configure);
        AddPlugins(services);
        services.TryAddSingleton(ProjectRootFactory.ComposeBroker);
        services.TryAddSingleton(sp => new AgentSessionService(
            sp.GetRequiredService<PluginRuntime>(),
            sp.GetRequiredService<ISessionStore>(),
            sp.GetRequiredService<ConfigurationSnapshot>(),
            sp.GetRequiredService<HostEnvironment>(),
            sp.GetRequiredService<SecretScrubber>(),
            sp.GetRequiredService<PermissionBroker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AgentSessionService>>())
        {
            ProcessEnvironment = sp.GetRequiredService<SessionProcessEnvironment>(),
            SandboxLayout = sp.GetService<SandboxLayout>(),
        });
        if (options.LoadPluginsOnStart)
        {
            AddPluginLoader(services);
        }

        return services;
    }

    /// <summary>
    /// Adds only the process-wide parts of <see cref="AddAgentHost"/>, as singletons: the options, loggers (the file
    /// logger factory when <see cref="AgentHostOptions.LogToFiles"/>), the clock, the environment, paths, the resolved
    /// configuration of the current directory, the plugin store, the secret scrubber, the session store, the sessions'
    /// process environments, and the <see cref="ProjectRootFactory"/> that opens a project root
    /// (<see cref="ProjectRootFactory.OpenAsync"/>). No event bus, plugin runtime, permission broker or session service:
    /// those belong to a project root, each in a provider of its own.
    /// </summary>
    /// <remarks>
    /// The root container of a front end that opens its project roots through the factory (the <c>agent</c> executable).
    /// Every registration is a <c>TryAdd</c>, as in <see cref="AddAgentHost"/>, which adds these first.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddAgentHostProcess(this IServiceCollection services, Action<AgentHostOptions>? configure = null)
    {
        AddShared(services, configure);
        return services;
    }

    private static AgentHostOptions AddShared(IServiceCollection services, Action<AgentHostOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new AgentHostOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        if (options.LogToFiles)
        {
            // The options are read when the loggers are first asked for (a front end may learn its log level late).
            services.TryAddSingleton(sp => new FileLogging(new FileLoggerFactory(new FileLoggerOptions(sp.GetRequiredService<AgentPaths>().LogsDirectory)
            {
                MinimumLevel = sp.GetRequiredService<AgentHostOptions>().LogLevel ?? sp.GetRequiredService<ConfigurationSnapshot>().LogLevel,
                Scrubber = sp.GetRequiredService<SecretScrubber>(),
                OnError = sp.GetRequiredService<AgentHostOptions>().OnLogError,
            })));
            services.TryAddSingleton<ILoggerFactory>(sp => sp.GetRequiredService<FileLogging>().Factory);
        }

        services.TryAddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.TryAddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<AgentHostOptions>().Environment ?? HostEnvironment.FromProcess());
        services.TryAddSingleton(sp => AgentPaths.Resolve(sp.GetRequiredService<HostEnvironment>()));
        services.TryAddSingleton(sp => ConfigurationResolver.Resolve(
            sp.GetRequiredService<HostEnvironment>(),
            sp.GetRequiredService<AgentPaths>(),
            [.. sp.GetRequiredService<AgentHostOptions>().ConfigOverrides]));
        services.TryAddSingleton(sp => new PluginStore(
            sp.GetRequiredService<AgentPaths>(),
            PluginStore.DefaultCatalogDirectory(sp.GetRequiredService<HostEnvironment>())));
        services.TryAddSingleton(sp => new ProjectRootFactory(sp, sp.GetRequiredService<AgentHostOptions>()));
        services.TryAddSingleton(sp => new SecretScrubber(sp.GetRequiredService<HostEnvironment>(), SecretRuleReader.ForConfiguration(sp.GetRequiredService<ConfigurationSnapshot>())));
        services.TryAddSingleton<ISessionStore>(sp => sp.GetRequiredService<AgentHostOptions>().SessionStore ?? SessionStore.Open(
            sp.GetRequiredService<AgentPaths>().SessionsDatabase,
            sp.GetRequiredService<SecretScrubber>(),
            sp.GetRequiredService<TimeProvider>(),
            logger: sp.GetRequiredService<ILogger<SessionStore>>()));
        // The environments of the sessions' processes, built from the agent process's own (what they would inherit).
        services.TryAddSingleton(sp => SessionProcessEnvironment.Create(
            SessionProcessEnvironment.Current(),
            sp.GetRequiredService<ConfigurationSnapshot>(),
            sp.GetRequiredService<AgentHostOptions>().ServerSessions,
            sp.GetRequiredService<AgentHostOptions>().HiddenVariables));
        return options;
    }

    // Its own method, not inlined: the hosted-service registration lives in Microsoft.Extensions.Hosting.Abstractions,
    // which the runtime loads when it prepares the method that calls it. Here only a long-running host (plugins loaded
    // on start) loads that assembly; `agent run` (LoadPluginsOnStart = false) never maps it (docs/decisions/0002-plugins-activate-on-demand.md).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddPluginLoader(IServiceCollection services) => services.AddHostedService<PluginLoaderService>();

    private static void AddPlugins(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new EventBus(sp.GetRequiredService<ILogger<EventBus>>()));
        services.TryAddSingleton<IEventBus>(sp => sp.GetRequiredService<EventBus>());
        services.TryAddSingleton(sp => new CapabilityRegistry(sp.GetRequiredService<EventBus>()));
        services.TryAddSingleton(sp => new PluginHost(
            sp.GetRequiredService<CapabilityRegistry>(),
            sp.GetRequiredService<EventBus>(),
            sp.GetRequiredService<ILoggerFactory>(),
            unloadable: sp.GetRequiredService<AgentHostOptions>().UnloadablePlugins)
        {
            LoadTimeout = PluginHost.LoadTimeoutFrom(sp.GetRequiredService<ConfigurationSnapshot>()),
        });
        services.TryAddSingleton(ProjectRootFactory.ComposeRuntime);
    }
}
