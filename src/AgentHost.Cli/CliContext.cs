using System.CommandLine;
using System.CommandLine.Invocation;
using AgentHost.Agent.Composition;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli;

/// <summary>What commands share: console, environment, and the host's services from the one composition root.</summary>
/// <remarks>
/// A thin facade over a service provider made with <see cref="AgentHostServiceCollectionExtensions.AddAgentHostProcess"/>
/// (the process-wide parts only: every project root is opened by <see cref="ProjectRootFactory.OpenAsync"/>) on first use, so short commands (<c>agent --version</c>) create nothing. Its options come from the command line:
/// <c>--set</c> overrides and <c>--log-level</c> (read when the parse result is first seen, before the configuration
/// or the loggers are resolved), file logging, and non-collectible plugin contexts (the process lives one command long).
/// </remarks>
internal sealed class CliContext : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private ServiceProvider? _services;
    private AgentHostOptions? _options;
    private ParseResult? _parseResult;

    public CliContext(IConsoleInteraction console, HostEnvironment environment, GlobalOptions globalOptions)
    {
        Console = console;
        Environment = environment;
        GlobalOptions = globalOptions;

        // When --log-level or --set is on the command line, remember the parse result before the command runs, so
        // loggers made before a command resolves its configuration (e.g. the session store's) honour them too.
        var remember = new RememberParseResult(this);
        globalOptions.LogLevel.Action = remember;
        globalOptions.Set.Action = remember;
    }

    public IConsoleInteraction Console { get; }

    public HostEnvironment Environment { get; }

    public GlobalOptions GlobalOptions { get; }

    /// <summary>The host's services (built on first use).</summary>
    public IServiceProvider Services
    {
        get
        {
            lock (_gate)
            {
                return _services ??= Build();
            }
        }
    }

    public AgentPaths Paths => Services.GetRequiredService<AgentPaths>();

    public PluginStore PluginStore => Services.GetRequiredService<PluginStore>();

    /// <summary>The session store (opened and migrated once per run, on first use; secrets of this environment are scrubbed).</summary>
    public Task<ISessionStore> OpenSessionStoreAsync(CancellationToken cancellationToken)
    {
        _ = cancellationToken; // SQLite opens synchronously.
        try
        {
            return Task.FromResult(Services.GetRequiredService<ISessionStore>());
        }
        catch (Exception ex)
        {
            return Task.FromException<ISessionStore>(ex);
        }
    }

    /// <summary>
    /// Makes <paramref name="store"/> the session store of this run and of every project root composed from it (the
    /// PostgreSQL store of <c>agent serve</c>); before anything resolved the default one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The default store was resolved already.</exception>
    public void UseSessionStore(ISessionStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _ = Services;
        lock (_gate)
        {
            _options!.SessionStore = store;
        }

        if (!ReferenceEquals(Services.GetRequiredService<ISessionStore>(), store))
        {
            throw new InvalidOperationException("the session store was opened before the command chose its own.");
        }
    }

    /// <summary>
    /// Makes the sessions of this run a shared server's (<c>agent serve</c>): every process they start gets the server's
    /// allow-list environment, and hooks and stdio MCP servers run in the sandbox by default
    /// (<see cref="AgentHostOptions.ServerSessions"/>). Called before any session service is composed.
    /// </summary>
    public void UseServerSessions()
    {
        _ = Services;
        lock (_gate)
        {
            _options!.ServerSessions = true;
        }
    }

    /// <summary>
    /// Keeps a variable of the agent's own (the one <c>--token-env</c> names) from the processes the model drives
    /// (<see cref="AgentHostOptions.HiddenVariables"/>). Called before any session service or tool pipeline is composed.
    /// </summary>
    public void HideVariable(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return;
        }

        _ = Services;
        lock (_gate)
        {
            _options!.HiddenVariables.Add(name);
        }
    }

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult)
    {
        Remember(parseResult);
        var set = parseResult.GetValue(GlobalOptions.Set) ?? [];
        return [.. set, .. AllowOption.ToOverrides(parseResult, set)];
    }

    /// <summary>Makes the parts of another project root (its configuration, a runtime, its composition with a session service) with this run's options.</summary>
    public ProjectRootFactory ProjectRoots(ParseResult parseResult)
    {
        Remember(parseResult);
        return Services.GetRequiredService<ProjectRootFactory>();
    }

    /// <summary>Creates the plugin runtime for this run (plugins load only when the command asks); the caller disposes it.</summary>
    public PluginRuntime CreatePluginRuntime(ParseResult parseResult) => CreatePluginRuntime(Configuration(parseResult));

    /// <summary>
    /// Creates a plugin runtime for a given configuration (e.g. one resolved for another project root). A CLI command
    /// lives one process long, so plugins load into non-collectible contexts, where their ReadyToRun code is used.
    /// </summary>
    public PluginRuntime CreatePluginRuntime(ConfigurationSnapshot configuration) =>
        Services.GetRequiredService<ProjectRootFactory>().CreatePluginRuntime(configuration);

    /// <summary>
    /// Whether the user trusts a project root by the one rule (<see cref="ProjectTrustRule"/>: the trust file, or
    /// <c>permissions.trusted_projects</c> of this run's configuration, its user layers); call it after <see cref="Configuration"/>.
    /// </summary>
    public bool TrustsProject(string root) => Services.GetRequiredService<ConfigurationSnapshot>().Trusts(root, Paths);

    /// <summary>The effective configuration (resolved once per run); broken files are reported in its Problems, not thrown.</summary>
    public ConfigurationSnapshot Configuration(ParseResult parseResult)
    {
        Remember(parseResult);
        return Services.GetRequiredService<ConfigurationSnapshot>();
    }

    /// <summary>
    /// The logger factory of this run (created on first use): JSON lines in <see cref="AgentPaths.LogsDirectory"/> at
    /// the level of <c>--log-level</c>, else the <c>log_level</c> setting, else information. Plugins' loggers
    /// (<c>plugin.&lt;id&gt;…</c>) write there too.
    /// </summary>
    public ILoggerFactory LoggerFactory(ParseResult parseResult)
    {
        Remember(parseResult);
        return Services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>Writes pending log entries and disposes what the services made.</summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync()
    {
        ServiceProvider? services;
        lock (_gate)
        {
            services = _services;
        }

        return services?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>The options the CLI composes with (see the class remarks).</summary>
    internal static void Configure(AgentHostOptions options, HostEnvironment environment, IConsoleInteraction console)
    {
        options.Environment = environment;
        options.LogToFiles = true;
        options.OnLogError = message => console.WriteInfo("warning: " + message);
        options.UnloadablePlugins = false;
        options.LoadPluginsOnStart = false;
    }

    /// <summary>Takes <c>--set</c> and <c>--log-level</c> from the first parse result seen (before configuration and loggers are resolved).</summary>
    private void Remember(ParseResult parseResult)
    {
        lock (_gate)
        {
            if (_parseResult is not null)
            {
                return;
            }

            _parseResult = parseResult;
            if (_options is { } options)
            {
                ApplyCommandLine(options, parseResult);
            }
        }
    }

    private void ApplyCommandLine(AgentHostOptions options, ParseResult parseResult)
    {
        var set = parseResult.GetValue(GlobalOptions.Set) ?? [];
        foreach (var setting in set.Concat(AllowOption.ToOverrides(parseResult, set)))
        {
            options.ConfigOverrides.Add(setting);
        }

        options.LogLevel = parseResult.GetValue(GlobalOptions.LogLevel) is { } name && LogLevels.TryParse(name, out var level) ? level : null;
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection().AddAgentHostProcess(options =>
        {
            Configure(options, Environment, Console);
            if (_parseResult is { } parseResult)
            {
                ApplyCommandLine(options, parseResult);
            }

            _options = options;
        });
        return services.BuildServiceProvider();
    }

    /// <summary>A pre-action (non-terminating) that hands the parse result to the context.</summary>
    private sealed class RememberParseResult(CliContext context) : SynchronousCommandLineAction
    {
        public override bool Terminating => false;

        public override int Invoke(ParseResult parseResult)
        {
            context.Remember(parseResult);
            return 0;
        }
    }
}
