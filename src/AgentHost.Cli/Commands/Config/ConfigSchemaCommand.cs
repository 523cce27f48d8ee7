using System.CommandLine;

namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config schema [--write] [--project]</c>: the JSON Schema of config.yaml, for editors.</summary>
internal sealed class ConfigSchemaCommand : AgentCommand
{
    private readonly Option<bool> _write = new("--write")
    {
        Description = "Write config.schema.json beside your config.yaml (or the project's with --project) and point the file at it with a '# yaml-language-server: $schema=' first line.",
    };

    private readonly Option<bool> _project = new("--project") { Description = "With --write: the project's .agent/config.yaml instead of your user config." };

    public ConfigSchemaCommand(CliContext context)
        : base("schema", "Print the JSON Schema of config.yaml (generated from the keys the validator knows and the settings plugins declare), or write it beside a config file for editor completion.", context)
    {
        Options.Add(_write);
        Options.Add(_project);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        if (!parseResult.GetValue(_write))
        {
            if (parseResult.GetValue(_project))
            {
                throw new Hosting.AgentHostException(Hosting.ErrorKind.Usage, "--project goes with --write: 'agent config schema --write --project'.");
            }

            Context.Console.WriteDataLine(ConfigSchemaFiles.Generate(Context.PluginStore).TrimEnd('\n'));
            return Task.FromResult(ExitCodes.Success);
        }

        var file = ConfigYamlEditor.TargetFile(Context, parseResult, parseResult.GetValue(_project));
        var schema = ConfigSchemaFiles.Write(Context.PluginStore, file);
        Context.Console.WriteLine($"wrote {schema}; {file} points at it (editors with the YAML language server complete and check its keys).");
        return Task.FromResult(ExitCodes.Success);
    }
}
