using System.CommandLine;
using AgentHost.Hosting.Configuration;
namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config path</c>: where the config files and the data directory are.</summary>
/// <remarks>Reads no config file, so it works even when one is broken.</remarks>
internal sealed class ConfigPathCommand : AgentCommand
{
    public ConfigPathCommand(CliContext context)
        : base("path", "Print the global and project config files and the data directory.", context)
    {
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var paths = Context.Paths;
        var project = ProjectLocator.Locate(Context.Environment);
        var console = Context.Console;
        console.WriteLine($"global config:  {paths.GlobalConfigFile}{Missing(paths.GlobalConfigFile)}");
        console.WriteLine(project.ConfigFile is { } file
            ? $"project config: {file}"
            : $"project config: {project.ConfigFileOrDefault} (not found; create it to configure this project)");
        console.WriteLine($"project root:   {project.Root}");
        console.WriteLine($"data directory: {paths.DataDirectory}");
        return Task.FromResult(ExitCodes.Success);
    }

    private static string Missing(string file) => File.Exists(file) ? string.Empty : " (not found)";
}
