using System.CommandLine;
using System.CommandLine.Invocation;
using AgentHost.Agent.Composition;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Plugins;
using AgentHost.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli;

/// <summary>What commands share: console, environment, and the services of the one composition root (<see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>).</summary>
/// <remarks>
/// A thin facade over one <see cref="IServiceProvider"/>, built on first use from the parse result (<c>--set</c>,
/// <c>--log-level</c>); its parts are singletons created when a command first asks, so short commands stay fast.
/// </remarks>
internal sealed class CliContext : IDisposable
{
    private ServiceProvider? _services;
    private ParseResult? _parseResult;

    public CliContext(IConsoleInteraction console, HostEnvironment environment, GlobalOptions globalOptions)
    {
        Console = console;
        Environment = environment;
        GlobalOptions = globalOptions;

        // When --log-level or --set is on the command line, remember the parse result before the command runs, so
        // the provider (and loggers made before a command resolves its configuration, e.g. the store's) honour them.
        var remember = new RememberParseResult(this);
        globalOptions.LogLevel.Action = remember;
        globalOptions.Set.Action = remember;
    }

    public IConsoleInteraction Console { get; }

    public HostEnvironment Environment { get; }

    public GlobalOptions GlobalOptions { get; }

    /// <summary>The services of this process (built on first use; parts are created when first resolved).</summary>
    public IServiceProvider Services => _services ??= BuildServices();

    public AgentPaths Paths => Services.GetRequiredService<AgentPaths>();

    public PluginStore PluginStore => Services.GetRequiredService<PluginStore>();

    /// <summary>The session store (opened and migrated once per process, on first use; secrets of this environment are scrubbed).</summary>
    public Task<SessionStore> OpenSessionStoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Services.GetRequiredService<SessionStore>());
    }

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult)
    {
        _parseResult ??= parseResult;
        return parseResult.GetValue(GlobalOptions.Set) ?? [];
    }

    /// <summary>Creates the plugin runtime for this command (plugins load only when the command asks).</summary>
    public PluginRuntime CreatePluginRuntime(ParseResult parseResult) => CreatePluginRuntime(Configuration(parseResult));

    /// <summary>
    /// Creates a plugin runtime for a given configuration (e.g. one resolved for another project root). A CLI command
    /// lives one process long, so plugins load into non-collectible contexts, where their ReadyToRun code is used.
    /// </summary>
    public PluginRuntime CreatePluginRuntime(ConfigurationSnapshot configuration) => Services.CreatePluginRuntime(configuration);

    /// <summary>The effective configuration (resolved once per process); broken files are reported in its Problems, not thrown.</summary>
    public ConfigurationSnapshot Configuration(ParseResult parseResult)
    {
        _parseResult ??= parseResult;
        return Services.GetRequiredService<ConfigurationSnapshot>();
    }

    /// <summary>
    /// The logger factory of this process (created on first use): JSON lines in <see cref="AgentPaths.LogsDirectory"/> at
    /// the level of <c>--log-level</c>, else the <c>log_level</c> setting, else information. Plugins' loggers
    /// (<c>plugin.&lt;id&gt;…</c>) write there too.
    /// </summary>
    public ILoggerFactory LoggerFactory(ParseResult parseResult)
    {
        _parseResult ??= parseResult;
        return Services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>Disposes what was created (writes pending log entries, closes the store).</summary>
    public void Dispose() => _services?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The CLI's options for <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>, from the parse result (if any).</summary>
    internal static void Configure(AgentHostOptions options, HostEnvironment environment, IConsoleInteraction console, GlobalOptions globalOptions, ParseResult? parseResult)
    {
        options.Environment = environment;
        options.LogToFiles = true;
        options.OnLogError = message => console.WriteInfo("warning: " + message);
        // A CLI process runs one command: plugins stay loaded until it ends.
        options.UnloadablePlugins = false;
        options.LoadPluginsOnStart = false;
        if (parseResult is not null)
        {
            foreach (var setting in parseResult.GetValue(globalOptions.Set) ?? [])
            {
                options.ConfigOverrides.Add(setting);
            }

            if (parseResult.GetValue(globalOptions.LogLevel) is { } name && LogLevels.TryParse(name, out var level))
            {
                options.LogLevel = level;
            }
        }
    }

    private ServiceProvider BuildServices() =>
        new ServiceCollection()
            .AddAgentHost(o => Configure(o, Environment, Console, GlobalOptions, _parseResult))
            .BuildServiceProvider();

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
