using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Hosting.Configuration;

namespace AgentHost.Cli;

/// <summary>
/// The plugin options of a command that loads plugins for a run (<c>agent run</c>, <c>agent tool list|run</c>,
/// <c>agent skill list|show</c>, <c>agent lsp status</c>): <c>--plugin</c> and <c>--no-default-plugins</c>. Such a command
/// loads the enabled installed plugins, the default plugins (<c>plugins.defaults</c>) and the <c>--plugin</c> ones, so it
/// shows what a run would get.
/// </summary>
internal sealed class PluginOptions
{
    /// <summary>The option's name.</summary>
    public const string NoDefaultsName = "--no-default-plugins";

    /// <summary><c>--plugin</c>.</summary>
    public Option<string[]> Plugins { get; } = Create();

    /// <summary><c>--no-default-plugins</c>.</summary>
    public Option<bool> NoDefaults { get; } = new(NoDefaultsName)
    {
        Description = "Leave out the default plugins (plugins.defaults: files, shell, git, web); --plugin ones and enabled installed ones still load.",
    };

    /// <summary>The <c>--plugin</c> option alone (for <c>agent models</c>, which loads provider plugins, not tool packs).</summary>
    /// <returns>The option.</returns>
    public static Option<string[]> Create() => new("--plugin", "-p")
    {
        Description = "Also load this plugin: an installed id (even if disabled), a bundled catalog id, or a plugin folder written as a path (./my-plugin). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Options.Add(Plugins);
        command.Options.Add(NoDefaults);
    }

    /// <summary>The plugins named with <c>--plugin</c>.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The names, as typed.</returns>
    public IReadOnlyList<string> Requested(ParseResult parseResult) => parseResult.GetValue(Plugins) ?? [];

    /// <summary>The default plugins this invocation loads: <c>plugins.defaults</c>, or none with <c>--no-default-plugins</c>.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The plugin ids.</returns>
    public IReadOnlyList<string> Defaults(ParseResult parseResult, ConfigurationSnapshot configuration) =>
        parseResult.GetValue(NoDefaults) ? [] : configuration.DefaultPlugins;

    /// <summary>
    /// Opens the current project's root for a command that reads what a run would get (its tools, skills, hooks,
    /// language servers, MCP definitions, workflows) — the one recipe (<see cref="ProjectRootFactory.OpenAsync"/>),
    /// without a session service or a provider preload: the enabled installed plugins, the defaults and the
    /// <c>--plugin</c> ones loaded.
    /// </summary>
    /// <param name="context">The CLI context.</param>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open root; the caller disposes it (which unloads the plugins).</returns>
    public Task<ProjectRoot> OpenAsync(CliContext context, ParseResult parseResult, ConfigurationSnapshot configuration, CancellationToken cancellationToken) =>
        OpenAsync(context, parseResult, configuration, new ProjectRootPlugins(Requested(parseResult), Defaults(parseResult, configuration)), cancellationToken);

    /// <summary>Opens the current project's root as <see cref="OpenAsync(CliContext, ParseResult, ConfigurationSnapshot, CancellationToken)"/> does, with the given plugins.</summary>
    /// <param name="context">The CLI context.</param>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="plugins">The plugins to load.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The open root; the caller disposes it (which unloads the plugins).</returns>
    public static Task<ProjectRoot> OpenAsync(CliContext context, ParseResult parseResult, ConfigurationSnapshot configuration, ProjectRootPlugins plugins, CancellationToken cancellationToken) =>
        context.ProjectRoots(parseResult).OpenAsync(
            new ProjectRootRequest(configuration.ProjectRoot)
            {
                Configuration = configuration,
                SessionService = false,
                PreloadProviders = false,
                WorkingDirectory = context.Environment.CurrentDirectory,
                Plugins = _ => plugins,
            },
            cancellationToken);
}
