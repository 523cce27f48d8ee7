using System.CommandLine;

namespace AgentHost.Cli.Commands.Config;

/// <summary><c>agent config set &lt;key&gt; &lt;value&gt; [--project]</c>: writes one key into the user's (or the project's) config.yaml.</summary>
internal sealed class ConfigSetCommand : AgentCommand
{
    private readonly Argument<string> _key = new("key") { Description = "The dotted key, e.g. log_level or providers.openai.base_url." };

    private readonly Argument<string> _value = new("value") { Description = "The value; [a, b] for a list, {k: v} for a mapping." };

    private readonly Option<bool> _project = new("--project") { Description = "Edit the project's .agent/config.yaml instead of your user config." };

    public ConfigSetCommand(CliContext context)
        : base("set", "Set one key in your config.yaml (or the project's with --project), checked like 'agent config validate'.", context)
    {
        Arguments.Add(_key);
        Arguments.Add(_value);
        Options.Add(_project);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var key = parseResult.GetValue(_key)!.Trim();
        var segments = ConfigYamlEditor.Segments(key);
        var value = parseResult.GetValue(_value)!;
        var file = ConfigYamlEditor.TargetFile(Context, parseResult, parseResult.GetValue(_project));
        var root = ConfigYamlEditor.Load(file);
        ConfigYamlEditor.Set(root, segments, ConfigYamlEditor.ParseValue(value));
        var pluginErrors = PluginSettingsValidation.CheckEdit(Context.PluginStore, root, key, text => Context.Console.WriteInfo(text));
        if (pluginErrors.Count > 0)
        {
            return Task.FromResult(ConfigYamlEditor.Refuse(Context, pluginErrors, file));
        }

        var errors = ConfigYamlEditor.Write(file, root, key, Context.Environment, text => Context.Console.WriteInfo(text));
        if (errors.Count > 0)
        {
            return Task.FromResult(ConfigYamlEditor.Refuse(Context, errors, file));
        }

        var secret = segments[^1].Equals("api_key", StringComparison.OrdinalIgnoreCase);
        Context.Console.WriteLine($"Set {key} = {(secret ? "(hidden)" : value)} in {file}.");
        if (secret)
        {
            Context.Console.WriteInfo($"warning: the key is now in plain text in {file}. 'agent auth login {(segments.Length > 2 ? segments[1] : "<provider>")}' stores it in the OS keychain (or a user-only file) instead; 'agent config unset {key}' removes it from the YAML.");
        }

        return Task.FromResult(ExitCodes.Success);
    }
}
