using System.CommandLine;
using AgentHost.Cli.Interaction;
using AgentHost.Kernel.Hosting;
using AgentHost.Kernel.Plugins;

namespace AgentHost.Cli;

/// <summary>What commands share: console, environment and lazily created kernel services.</summary>
/// <remarks>Nothing is created until a command asks for it, so short commands stay fast.</remarks>
internal sealed class CliContext
{
    private AgentPaths? _paths;
    private PluginStore? _pluginStore;
    private AgentHost.Kernel.Configuration.ConfigurationSnapshot? _configuration;
    private Task<AgentHost.Kernel.Sessions.SessionStore>? _sessionStore;

    public CliContext(IConsoleInteraction console, HostEnvironment environment, GlobalOptions globalOptions)
    {
        Console = console;
        Environment = environment;
        GlobalOptions = globalOptions;
    }

    public IConsoleInteraction Console { get; }

    public HostEnvironment Environment { get; }

    public GlobalOptions GlobalOptions { get; }

    public AgentPaths Paths => _paths ??= AgentPaths.Resolve(Environment);

    public PluginStore PluginStore => _pluginStore ??= new PluginStore(Paths, PluginStore.DefaultCatalogDirectory(Environment));

    /// <summary>The session store (opened and migrated once per run, on first use; secrets of this environment are scrubbed).</summary>
    public Task<AgentHost.Kernel.Sessions.SessionStore> OpenSessionStoreAsync(CancellationToken cancellationToken) =>
        _sessionStore ??= AgentHost.Kernel.Sessions.SessionStore.OpenAsync(Paths.SessionsDatabase, new AgentHost.Kernel.Security.SecretScrubber(Environment), cancellationToken: cancellationToken);

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult) =>
        parseResult.GetValue(GlobalOptions.Set) ?? [];

    /// <summary>Creates the plugin runtime for this run (plugins load only when the command asks).</summary>
    public PluginRuntime CreatePluginRuntime(ParseResult parseResult) => CreatePluginRuntime(Configuration(parseResult));

    /// <summary>Creates a plugin runtime for a given configuration (e.g. one resolved for another project root).</summary>
    public PluginRuntime CreatePluginRuntime(AgentHost.Kernel.Configuration.ConfigurationSnapshot configuration) =>
        PluginRuntime.Create(PluginStore, configuration.ProjectRoot, configuration.GetPluginSettings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

    /// <summary>The effective configuration (resolved once per run); broken files are reported in its Problems, not thrown.</summary>
    public AgentHost.Kernel.Configuration.ConfigurationSnapshot Configuration(ParseResult parseResult) =>
        _configuration ??= AgentHost.Kernel.Configuration.ConfigurationResolver.Resolve(Environment, Paths, ConfigOverrides(parseResult));
}
