using System.CommandLine;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Trust;
using AgentHost.Installation;
namespace AgentHost.Cli.Commands.Plugin;

/// <summary>
/// <c>agent plugin enable|disable &lt;id&gt; [--project]</c>: switches a plugin globally (the lockfile) or for the
/// current project (<c>.agent/plugins.yaml</c>, which overrides the global state).
/// </summary>
internal sealed class PluginEnableCommand : AgentCommand
{
    private readonly bool _enable;

    private readonly Argument<string> _id = new("id") { Description = "The installed plugin's id." };

    private readonly Option<bool> _project = new("--project")
    {
        Description = "Only for the current project (writes .agent/plugins.yaml in the project root).",
    };

    public PluginEnableCommand(CliContext context, bool enable)
        : base(
            enable ? "enable" : "disable",
            enable ? "Enable an installed plugin (globally, or for this project with --project)." : "Disable an installed plugin (globally, or for this project with --project).",
            context)
    {
        _enable = enable;
        Arguments.Add(_id);
        Options.Add(_project);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plugins = new InstalledPlugins(Context.PluginStore, PluginInstallCommand.Reporter(Context, parseResult));
        var id = parseResult.GetValue(_id)!;
        var verb = _enable ? "Enabled" : "Disabled";
        if (parseResult.GetValue(_project))
        {
            var configuration = Context.Configuration(parseResult);
            var file = plugins.SetProjectEnabled(id, _enable, configuration.ProjectRoot);
            Context.Console.WriteLine($"{verb} {id.Trim().ToLowerInvariant()} for this project ({file}).");
            if (_enable && !plugins.IsEnabledGlobally(id) && !new PluginSettingsSource(configuration, () => ProjectTrust.Load(Context.Paths)).ProjectTrusted)
            {
                Context.Console.WriteInfo(
                    $"warning: project {configuration.ProjectRoot} is not trusted, so its plugins.yaml cannot enable a plugin that is disabled globally; " +
                    $"{id.Trim().ToLowerInvariant()} stays disabled here until you run 'agent trust' (or 'agent plugin enable {id.Trim().ToLowerInvariant()}' for every project).");
            }
        }
        else
        {
            var plugin = plugins.SetEnabled(id, _enable);
            Context.Console.WriteLine($"{verb} {plugin.Id} globally.");
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
