using AgentHost.Agent.Plugins;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Hosting.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Composition;

/// <summary>
/// Opens a project root by the one recipe every front end uses (<see cref="OpenAsync"/>: configuration → plugin runtime
/// and event bus → permission broker → plugin loads with provider preload → session service), from the host's shared
/// parts (paths, plugin store, session store, loggers). Its steps are public for what needs only one of them: the
/// configuration of another directory (<c>agent trust --dir</c>), a runtime for a command that lists or inspects
/// plugins. It is the only place a plugin runtime or a permission broker is constructed (an architecture test says so).
/// </summary>
/// <remarks>Registered by <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>.</remarks>
public sealed class ProjectRootFactory
{
    private readonly IServiceProvider _services;
    private readonly AgentHostOptions _options;
    private readonly SandboxLayout? _sandboxLayout;

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

    private ProjectRootFactory(ProjectRootFactory other, SandboxLayout sandboxLayout)
    {
        _services = other._services;
        _options = other._options;
        _sandboxLayout = sandboxLayout;
    }

    /// <summary>
    /// The same factory whose hosts' sessions hide <paramref name="sandboxLayout"/> in their sandboxes (a server's layout,
    /// <see cref="Runs.RunSandbox.ServerLayoutOf"/>), instead of the user's own records.
    /// </summary>
    /// <param name="sandboxLayout">The layout.</param>
    /// <returns>The factory.</returns>
    public ProjectRootFactory WithSandboxLayout(SandboxLayout sandboxLayout)
    {
        ArgumentNullException.ThrowIfNull(sandboxLayout);
        return new ProjectRootFactory(this, sandboxLayout);
    }

    /// <summary>
    /// Resolves the configuration as seen from <paramref name="directory"/> (with the host's overrides); problems are
    /// reported in it, not thrown. For a server's sessions, the project's files read only the sessions' environment
    /// (<see cref="HostEnvironment.ProjectVariables"/>): the allow-list and the admin's <c>server.session_env</c>.
    /// </summary>
    /// <param name="directory">The working directory whose project applies.</param>
    /// <returns>The configuration.</returns>
    public ConfigurationSnapshot ResolveConfiguration(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var environment = Get<HostEnvironment>() with { CurrentDirectory = directory };
        if (_options.ServerSessions)
        {
            // server.session_env counts only from the admin's layers, the same for every root: the host's configuration has them.
            environment = environment with { ProjectVariables = Engine.SessionProcessEnvironment.Create(environment.Variables, Get<ConfigurationSnapshot>(), server: true, _options.HiddenVariables).ForModel };
        }

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
        return CreatePluginRuntime(configuration, configuration.ProjectRoot);
    }

    /// <summary>
    /// Creates a plugin runtime as <see cref="CreatePluginRuntime(ConfigurationSnapshot)"/> does, whose plugins' own
    /// programs (language servers) serve <paramref name="root"/>: with <c>sandbox.lsp_servers</c> on (by default for a
    /// server's sessions) they run in a sandbox bound to that root (<see cref="Runs.RunSandbox.ForLanguageServers"/>), with
    /// this factory's layout (a server's: its data folder, socket and other roots hidden).
    /// </summary>
    /// <param name="configuration">The configuration whose project the runtime serves.</param>
    /// <param name="root">The root its sessions work in (a server engine's root, which may lie below the project's).</param>
    /// <returns>The runtime; the caller disposes it (which unloads every plugin, then disposes their sandbox).</returns>
    public PluginRuntime CreatePluginRuntime(ConfigurationSnapshot configuration, string root)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var paths = Get<AgentPaths>();
        var settings = new PluginSettingsSource(configuration, () => ProjectTrust.Load(paths));
        var runtime = PluginRuntime.Create(Get<PluginStore>(), configuration.ProjectRoot, settings.Get, Get<ILoggerFactory>(), _options.UnloadablePlugins, () => settings.ProjectTrusted);
        runtime.Host.LoadTimeout = PluginHost.LoadTimeoutFrom(configuration);
        if (_options.ServerSessions)
        {
            // A server's plugins start their processes (language servers) with its allow-list, never its own environment.
            runtime.Host.ProcessEnvironment = Engine.SessionProcessEnvironment.Create(Engine.SessionProcessEnvironment.Current(), configuration, server: true, _options.HiddenVariables).ForConfigured;
        }

        if (Runs.RunSandbox.ForLanguageServers(configuration, Get<HostEnvironment>(), root, () => PermissionPolicy.FromConfiguration(configuration, ProjectTrust.Load(paths)), _options.ServerSessions, _sandboxLayout) is { } sandbox)
        {
            // One sandbox per runtime (its language servers serve the sessions of one root), disposed with it.
            runtime.Own(sandbox);
            runtime.Host.ProcessSandboxFor = (commandLine, cancellationToken) => sandbox.ForProgramAsync(commandLine[0], commandLine.Skip(1), cancellationToken);
        }

        settings.Warn = message => runtime.Events.Publish(new WarningEvent("plugins", message));
        return runtime;
    }

    /// <summary>
    /// Composes <paramref name="configuration"/>'s project through <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>
    /// (the one composition root, in a provider of its own): the host's shared parts (environment, paths, plugin store,
    /// session store, secret scrubber, clock, loggers) with this root's configuration, <paramref name="runtime"/> and
    /// its event bus, the permission broker (<paramref name="broker"/>, else one made there) and the session service.
    /// </summary>
    /// <param name="configuration">The configuration the runtime was made for (<see cref="ResolveConfiguration"/>).</param>
    /// <param name="runtime">The runtime (<see cref="CreatePluginRuntime"/>; its plugins loaded by the caller, before or after).</param>
    /// <param name="broker">A permission broker on the runtime's event bus the front end made first (to attach its prompter before plugins load); one is made when <see langword="null"/>.</param>
    /// <returns>The composition; disposing it closes the service's sessions. It owns neither the runtime nor a given broker.</returns>
    /// <remarks>The session store is resolved (opened, if it was not yet) now.</remarks>
    public ProjectHost CreateHost(ConfigurationSnapshot configuration, PluginRuntime runtime, PermissionBroker? broker = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(runtime);
        var services = new ServiceCollection();

        // Shared with the host: one store, one clock, one log and one scrubber per process (instances: not disposed here).
        services.AddSingleton(Get<HostEnvironment>());
        services.AddSingleton(Get<AgentPaths>());
        services.AddSingleton(Get<PluginStore>());
        services.AddSingleton(Get<SecretScrubber>());
        services.AddSingleton(Get<TimeProvider>());
        services.AddSingleton(Get<ILoggerFactory>());
        services.AddSingleton(Get<ISessionStore>());

        // This root's parts.
        services.AddSingleton(configuration);
        services.AddSingleton(runtime);
        services.AddSingleton(runtime.Events);
        services.AddSingleton<IEventBus>(runtime.Events);
        services.AddSingleton(runtime.Registry);
        services.AddSingleton(runtime.Host);
        if (broker is not null)
        {
            services.AddSingleton(broker);
        }

        if (_sandboxLayout is not null)
        {
            services.AddSingleton(_sandboxLayout);
        }

        services.AddAgentHost(options =>
        {
            options.Environment = _options.Environment;
            options.UnloadablePlugins = _options.UnloadablePlugins;
            options.LoadPluginsOnStart = false;
            options.LogToFiles = false;
            options.ServerSessions = _options.ServerSessions;
            foreach (var name in _options.HiddenVariables)
            {
                options.HiddenVariables.Add(name);
            }

            foreach (var setting in _options.ConfigOverrides)
            {
                options.ConfigOverrides.Add(setting);
            }
        });
        return new ProjectHost(services.BuildServiceProvider(), configuration, runtime);
    }

    /// <summary>
    /// Opens a project root by the one recipe every front end uses: the configuration (<paramref name="request"/>'s, else
    /// resolved for its directory and checked), a plugin runtime for it, the front end's attachment to the runtime, the
    /// permission broker with the front end's attachment (its prompter or responder, before any plugin loads), the
    /// chosen plugins loaded together with the providers of the models the root will use, then the front end's
    /// <see cref="ProjectRootRequest.BeforeService"/> wait, and the session service composed around them
    /// (<see cref="CreateHost"/>).
    /// </summary>
    /// <param name="request">What the front end asks for.</param>
    /// <param name="cancellationToken">Cancellation of the plugins' loading and of the front end's wait.</param>
    /// <returns>The open root; the caller disposes it (see <see cref="ProjectRoot"/>). On failure everything made is disposed.</returns>
    /// <exception cref="Hosting.AgentHostException">The resolved configuration is invalid.</exception>
    public async Task<ProjectRoot> OpenAsync(ProjectRootRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var configuration = request.Configuration ?? ResolveConfiguration(request.Directory).ThrowIfInvalid();
        var runtime = request.PluginsServeDirectory ? CreatePluginRuntime(configuration, request.Directory) : CreatePluginRuntime(configuration);
        var root = new ProjectRoot(request.Directory, configuration, runtime, request.DrainEventsOnClose);
        try
        {
            root.Attached(request.Attach?.Invoke(root));
            if (request.SessionService)
            {
                // Made before any plugin loads, so the front end's prompter or responder answers it from the start.
                root.Broker = new PermissionBroker(runtime.Events, Get<TimeProvider>()) { AnswerTimeout = request.AnswerTimeout };
                root.BrokerAttached(request.AttachBroker?.Invoke(root));
            }

            root.Plugins = request.Plugins?.Invoke(root) ?? new ProjectRootPlugins([], configuration.DefaultPlugins);
            string[] providers = request.PreloadProviders
                ? [.. (request.Models?.Invoke(configuration) ?? [configuration.Model])
                    .Select(model => model is not null ? Runs.ModelSelection.ProviderTypeOf(model, configuration) : null)
                    .OfType<string>()
                    .Distinct(StringComparer.Ordinal)]
                : [];
            using (StartupActivities.Start("plugins.load"))
            {
                root.Loads = await runtime.LoadForRunAsync(root.Plugins.Requested, request.WorkingDirectory ?? request.Directory, providers, root.Plugins.Defaults, cancellationToken).ConfigureAwait(false);
            }

            if (request.BeforeService is { } wait)
            {
                await wait(cancellationToken).ConfigureAwait(false);
            }

            if (root.Broker is not null)
            {
                root.Host = CreateHost(configuration, runtime, root.Broker);
                if (request.AnswerTimeout is { } questions)
                {
                    root.Host.Service.Questions.AnswerTimeout = questions;
                }
            }

            return root;
        }
        catch
        {
            await root.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The permission broker of a provider composed by <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>
    /// that was given none (a Generic Host, or <see cref="CreateHost"/> without a broker): on its event bus, with its clock.
    /// </summary>
    internal static PermissionBroker ComposeBroker(IServiceProvider services) =>
        new(services.GetRequiredService<EventBus>(), services.GetRequiredService<TimeProvider>());

    /// <summary>
    /// The plugin runtime of a provider composed by <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/> that
    /// was given none (a Generic Host): over the provider's event bus, registry and plugin host, for its configuration.
    /// </summary>
    internal static PluginRuntime ComposeRuntime(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<ConfigurationSnapshot>();
        var events = services.GetRequiredService<EventBus>();
        var settings = new PluginSettingsSource(configuration, () => ProjectTrust.Load(services.GetRequiredService<AgentPaths>()))
        {
            Warn = message => events.Publish(new WarningEvent("plugins", message)),
        };
        return new PluginRuntime(
            services.GetRequiredService<PluginStore>(),
            configuration.ProjectRoot,
            settings.Get,
            events,
            services.GetRequiredService<CapabilityRegistry>(),
            services.GetRequiredService<PluginHost>())
        {
            LoggerFactory = services.GetRequiredService<ILoggerFactory>(),
            IsProjectTrusted = () => settings.ProjectTrusted,
        };
    }

    private T Get<T>()
        where T : notnull => (T)(_services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered; call AddAgentHost."));
}
