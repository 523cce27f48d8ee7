using System.CommandLine;
using AgentHost.Hosting;

namespace AgentHost.Cli.Commands.Config;

/// <summary>
/// <c>agent config init [--force]</c>: writes your user <c>config.yaml</c> as a commented template
/// (<see cref="ConfigTemplate"/>) with <c>config.schema.json</c> beside it. Never a project's file, and never without being
/// asked: no command writes it on a first start (docs/configuration.md, "Starting a config file").
/// </summary>
internal sealed class ConfigInitCommand : AgentCommand
{
    private readonly Option<bool> _force = new("--force") { Description = "Overwrite an existing config.yaml (its contents are lost)." };

    public ConfigInitCommand(CliContext context)
        : base("init", "Write a commented config.yaml template to your user config folder (refuses to overwrite one without --force).", context)
    {
        Options.Add(_force);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var file = Context.Paths.GlobalConfigFile;
        if (File.Exists(file) && !parseResult.GetValue(_force))
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"{file} already exists; nothing was written. Edit it ('agent config set KEY VALUE' or an editor), or run 'agent config init --force' to replace it with the template (its contents are lost).");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, ConfigTemplate.Text);
        var schema = ConfigSchemaFiles.Write(Context.PluginStore, file);
        Context.Console.WriteLine($"wrote {file} (every setting commented out: the built-in defaults apply until you uncomment one) and {schema} for editors.");
        Context.Console.WriteLine("Next: uncomment a provider, then run 'agent config validate' and 'agent doctor'.");
        return Task.FromResult(ExitCodes.Success);
    }
}
