using System.CommandLine;
using System.CommandLine.Invocation;
using AgentHost.Agent.Plugins;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Trust;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli;

/// <summary>What commands share: console, environment and lazily created kernel services.</summary>
/// <remarks>Nothing is created until a command asks for it, so short commands stay fast.</remarks>
internal sealed class CliContext : IDisposable
{
    private AgentPaths? _paths;
    private PluginStore? _pluginStore;
    private ConfigurationSnapshot? _configuration;
    private Task<SessionStore>? _sessionStore;
    private FileLoggerFactory? _loggerFactory;
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

    public AgentPaths Paths => _paths ??= AgentPaths.Resolve(Environment);

    public PluginStore PluginStore => _pluginStore ??= new PluginStore(Paths, PluginStore.DefaultCatalogDirectory(Environment));

    /// <summary>The session store (opened and migrated once per run, on first use; secrets of this environment are scrubbed).</summary>
    public Task<SessionStore> OpenSessionStoreAsync(CancellationToken cancellationToken) =>
        _sessionStore ??= SessionStore.OpenAsync(
            Paths.SessionsDatabase,
            new SecretScrubber(Environment),
            logger: StoreLoggers().CreateLogger<SessionStore>(),
            cancellationToken: cancellationToken);

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult)
    {
        _parseResult ??= parseResult;
        return parseResult.GetValue(GlobalOptions.Set) ?? [];
    }

    /// <summary>Creates the plugin runtime for this run (plugins load only when the command asks).</summary>
    public PluginRuntime CreatePluginRuntime(ParseResult parseResult) => CreatePluginRuntime(Configuration(parseResult));

    /// <summary>
    /// Creates a plugin runtime for a given configuration (e.g. one resolved for another project root). A CLI command
    /// lives one process long, so plugins load into non-collectible contexts, where their ReadyToRun code is used.
    /// </summary>
    public PluginRuntime CreatePluginRuntime(ConfigurationSnapshot configuration)
    {
        var settings = new PluginSettingsSource(configuration, () => ProjectTrust.Load(Paths));
        var runtime = PluginRuntime.Create(PluginStore, configuration.ProjectRoot, settings.Get, Loggers(configuration), unloadable: false, () => settings.ProjectTrusted);
        runtime.Host.LoadTimeout = PluginHost.LoadTimeoutFrom(configuration);
        settings.Warn = message => runtime.Events.Publish(new WarningEvent("plugins", message));
        return runtime;
    }

    /// <summary>The effective configuration (resolved once per run); broken files are reported in its Problems, not thrown.</summary>
    public ConfigurationSnapshot Configuration(ParseResult parseResult) =>
        _configuration ??= ConfigurationResolver.Resolve(Environment, Paths, ConfigOverrides(parseResult));

    /// <summary>
    /// The logger factory of this run (created on first use): JSON lines in <see cref="AgentPaths.LogsDirectory"/> at
    /// the level of <c>--log-level</c>, else the <c>log_level</c> setting, else information. Plugins' loggers
    /// (<c>plugin.&lt;id&gt;…</c>) write there too.
    /// </summary>
    public ILoggerFactory LoggerFactory(ParseResult parseResult) => Loggers(Configuration(parseResult));

    /// <summary>Writes pending log entries.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= FlushOnExit;
        _loggerFactory?.Dispose();
    }

    private FileLoggerFactory Loggers(ConfigurationSnapshot configuration)
    {
        if (_loggerFactory is null)
        {
            var level = _parseResult?.GetValue(GlobalOptions.LogLevel) is { } name && LogLevels.TryParse(name, out var parsed) ? parsed : configuration.LogLevel;
            _loggerFactory = new FileLoggerFactory(new FileLoggerOptions(Paths.LogsDirectory)
            {
                MinimumLevel = level,
                Scrubber = new SecretScrubber(Environment),
                OnError = message => Console.WriteInfo("warning: " + message),
            });

            // A run that ends without disposing this context still writes its last entries.
            AppDomain.CurrentDomain.ProcessExit += FlushOnExit;
        }

        return _loggerFactory;
    }

    /// <summary>The loggers for a service made before (or without) configuration: the run's if it has them, else from the configuration files.</summary>
    private FileLoggerFactory StoreLoggers() =>
        _loggerFactory ?? Loggers(_parseResult is { } parseResult ? Configuration(parseResult) : ConfigurationResolver.Resolve(Environment, Paths, []));

    private void FlushOnExit(object? sender, EventArgs e) => _loggerFactory?.Flush();

    /// <summary>A pre-action (non-terminating) that hands the parse result to the context.</summary>
    private sealed class RememberParseResult(CliContext context) : SynchronousCommandLineAction
    {
        public override bool Terminating => false;

        public override int Invoke(ParseResult parseResult)
        {
            context._parseResult ??= parseResult;
            return 0;
        }
    }
}
