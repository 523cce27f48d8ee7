using System.CommandLine;

namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config unset &lt;key&gt; [--project]</c>: removes one key from the user's (or the project's) config.yaml.</summary>
internal sealed class ConfigUnsetCommand : AgentCommand
{
    private readonly Argument<string> _key = new("key") { Description = "The dotted key to remove, e.g. log_level." };

    private readonly Option<bool> _project = new("--project") { Description = "Edit the project's .agent/config.yaml instead of your user config." };

    public ConfigUnsetCommand(CliContext context)
        : base("unset", "Remove one key from your config.yaml (or the project's with --project); the default or another layer then applies.", context)
    {
        Arguments.Add(_key);
        Options.Add(_project);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var key = parseResult.GetValue(_key)!.Trim();
        var segments = ConfigYamlEditor.Segments(key);
        var file = ConfigYamlEditor.TargetFile(Context, parseResult, parseResult.GetValue(_project));
        var root = ConfigYamlEditor.Load(file);
        if (!ConfigYamlEditor.Unset(root, segments))
        {
            var unknown = ConfigYamlEditor.CheckKnown(key, Context.Environment);
            if (unknown.Count > 0)
            {
                return Task.FromResult(ConfigYamlEditor.Refuse(Context, unknown, file));
            }

            Context.Console.WriteLine($"{key} is not set in {file}; nothing to do.");
            return Task.FromResult(ExitCodes.Success);
        }

        var errors = ConfigYamlEditor.Write(file, root, key, Context.Environment, text => Context.Console.WriteInfo(text));
        if (errors.Count > 0)
        {
            return Task.FromResult(ConfigYamlEditor.Refuse(Context, errors, file));
        }

        Context.Console.WriteLine($"Removed {key} from {file}.");
        return Task.FromResult(ExitCodes.Success);
    }
}
